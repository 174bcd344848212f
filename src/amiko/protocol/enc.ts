/**
 * `ENC(tag, v1, v2, …)`, the byte encoding of signed data (protocols-amiko.md §3). Strings and byte
 * strings: 4-byte big-endian length + bytes (strings UTF-8); null: length 0xFFFFFFFF, no bytes;
 * integers: 8-byte big-endian unsigned; booleans: 1 byte. Hex wire fields are encoded as their raw
 * bytes: wrap them with `hex(…)` so that a hex string is never signed as text by mistake.
 */
import { concatBytes, hexToBytes, utf8ToBytes } from '../../core/bytes.ts'

/** A hex wire field to be encoded as raw bytes (see `hex`). */
export interface HexItem {
  readonly hex: string
}

/** One ENC item: text, bytes, a hex field, an unsigned integer (number or bigint), a boolean or null. */
export type EncItem = string | Uint8Array | HexItem | number | bigint | boolean | null

/** Marks a hex field (transaction ID, key, challenge, dice) to be encoded as its raw bytes. */
export function hex(value: string): HexItem {
  return { hex: value }
}

const NULL_LENGTH = 0xffffffff
const MAX_U64 = (1n << 64n) - 1n

function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= NULL_LENGTH) throw new RangeError('ENC item too long')
  const out = new Uint8Array(4 + bytes.length)
  new DataView(out.buffer).setUint32(0, bytes.length)
  out.set(bytes, 4)
  return out
}

function uint64(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new RangeError(`ENC integer must be a safe non-negative integer: ${value}`)
  }
  const big = BigInt(value)
  if (big < 0n || big > MAX_U64) throw new RangeError(`ENC integer out of range: ${big}`)
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, big)
  return out
}

function item(value: EncItem): Uint8Array {
  if (value === null) return Uint8Array.of(0xff, 0xff, 0xff, 0xff)
  if (typeof value === 'string') return lengthPrefixed(utf8ToBytes(value))
  if (typeof value === 'boolean') return Uint8Array.of(value ? 1 : 0)
  if (typeof value === 'number' || typeof value === 'bigint') return uint64(value)
  if (value instanceof Uint8Array) return lengthPrefixed(value)
  return lengthPrefixed(hexToBytes(value.hex))
}

/** `ENC(tag, …items)`; throws `RangeError` on an integer out of range, `TypeError` on bad hex. */
export function enc(tag: string, ...items: EncItem[]): Uint8Array {
  return concatBytes(item(tag), ...items.map(item))
}
