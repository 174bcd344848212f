/**
 * Byte helpers. paylink moves bytes as `Uint8Array` everywhere and as lowercase hex on JSON wires
 * (PROTOCOLS.md conventions: "lowercase when we emit, either case accepted").
 */

const HEX = /^(?:[0-9a-fA-F]{2})*$/

/** Whether `text` is well-formed hex (even length, hex digits only; either case). */
export function isHex(text: string): boolean {
  return HEX.test(text)
}

/** Decodes hex (either case); throws `TypeError` on odd length or a non-hex digit. */
export function hexToBytes(hex: string): Uint8Array {
  if (!isHex(hex)) throw new TypeError('invalid hex')
  return Uint8Array.from(pairs(hex))
}

// Parsed pairwise without `node:buffer` so the pure folders stay browser-safe.
function pairs(hex: string): number[] {
  const out = new Array<number>(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

const TABLE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Encodes bytes as lowercase hex. */
export function bytesToHex(bytes: Uint8Array | readonly number[]): string {
  let out = ''
  for (const b of bytes) out += TABLE[b]
  return out
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** A reversed copy: txids and block hashes are shown byte-reversed ("display order"). */
export function reverseBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes).reverse()
}

/** Converts between internal byte order and display-order hex. */
export function toDisplayHex(internal: Uint8Array): string {
  return bytesToHex(reverseBytes(internal))
}

/** Display-order hex (txid, block hash) to internal byte order. */
export function fromDisplayHex(hex: string): Uint8Array {
  return reverseBytes(hexToBytes(hex))
}

/** Byte equality; not constant time (use `constantTimeEqual` for secrets). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Compares secrets without leaking where they differ; lengths are not secret. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 encode. */
export function utf8ToBytes(text: string): Uint8Array {
  return encoder.encode(text)
}

/** Strict UTF-8 decode; throws on invalid sequences. */
export function bytesToUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}
