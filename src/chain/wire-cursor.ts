/**
 * A bounds-checked cursor over wire bytes. `@bsv/sdk`'s readers read zeros past the end and trust
 * every count, so a few bytes claiming 2^32 inputs keep its parser looping for minutes; walking the
 * bytes with this cursor first refuses truncated, oversized and trailing data in linear time.
 * Compact sizes must be canonical, as Bitcoin Core's `ReadCompactSize` demands.
 */

/** Smallest value each wide compact-size prefix may carry (Bitcoin Core `ReadCompactSize`). */
const CANONICAL_MIN = { 253: 0xfdn, 254: 0x10000n, 255: 0x100000000n } as const

export class WireCursor {
  readonly #bytes: Uint8Array
  #pos = 0

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
  }

  /** Bytes read so far. */
  get pos(): number {
    return this.#pos
  }

  /** The bytes read since position `from`. */
  since(from: number): Uint8Array {
    return this.#bytes.subarray(from, this.#pos)
  }

  /** The next `n` bytes; throws when fewer remain. */
  take(n: number): Uint8Array {
    if (n > this.#bytes.length - this.#pos) throw new Error(`truncated at byte ${this.#pos}`)
    const out = this.#bytes.subarray(this.#pos, this.#pos + n)
    this.#pos += n
    return out
  }

  u8(): number {
    return this.take(1)[0]!
  }

  /** A little-endian unsigned integer of `size` bytes (at most 8), as a bigint. */
  uintLE(size: number): bigint {
    const bytes = this.take(size)
    let value = 0n
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!)
    return value
  }

  /** A canonical compact size (varint) that fits a safe integer. */
  varint(): number {
    const first = this.u8()
    if (first < 0xfd) return first
    const prefix = first as keyof typeof CANONICAL_MIN
    const value = this.uintLE(prefix === 0xfd ? 2 : prefix === 0xfe ? 4 : 8)
    if (value < CANONICAL_MIN[prefix]) throw new Error(`non-canonical compact size at byte ${this.#pos}`)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('compact size too large')
    return Number(value)
  }

  /** Throws when bytes remain. */
  end(): void {
    if (this.#pos !== this.#bytes.length) throw new Error('trailing bytes after the transaction')
  }
}
