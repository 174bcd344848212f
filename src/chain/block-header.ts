/**
 * The 80-byte Bitcoin block header: its codec, its hash and its proof-of-work check.
 * Used for TSC proofs whose `targetType` is `header` (protocols-p4.md §9) and by the devnet's miner.
 * Hashes are display-order hex (byte-reversed, as block explorers show them); on the wire they are
 * in internal order.
 */
import { concatBytes, fromDisplayHex, toDisplayHex } from '../core/bytes.ts'
import { sha256d } from '../core/hash.ts'

/** A block header with its hashes in display order. */
export interface BlockHeader {
  version: number
  /** Hash of the previous block, display-order hex. */
  prevHash: string
  /** Merkle root of the block's transactions, display-order hex. */
  merkleRoot: string
  /** Block time, seconds since the Unix epoch. */
  time: number
  /** The difficulty target in compact form. */
  bits: number
  nonce: number
}

/** Size of a serialized header. */
export const HEADER_SIZE = 80

function u32le(value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value >>> 0, true)
  return out
}

function hash32(hex: string, field: string): Uint8Array {
  const bytes = fromDisplayHex(hex)
  if (bytes.length !== 32) throw new TypeError(`${field} must be 32 bytes`)
  return bytes
}

/** Serializes a header to its 80 wire bytes (u32 LE fields, hashes in internal order). */
export function serializeHeader(header: BlockHeader): Uint8Array {
  return concatBytes(
    u32le(header.version),
    hash32(header.prevHash, 'prevHash'),
    hash32(header.merkleRoot, 'merkleRoot'),
    u32le(header.time),
    u32le(header.bits),
    u32le(header.nonce),
  )
}

/** Parses 80 header bytes; throws `TypeError` on any other length. */
export function parseHeader(bytes: Uint8Array): BlockHeader {
  if (bytes.length !== HEADER_SIZE) throw new TypeError(`block header must be ${HEADER_SIZE} bytes`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return {
    // The version is signed in Bitcoin Core; read it signed so negative versions round-trip.
    version: view.getInt32(0, true),
    prevHash: toDisplayHex(bytes.subarray(4, 36)),
    merkleRoot: toDisplayHex(bytes.subarray(36, 68)),
    time: view.getUint32(68, true),
    bits: view.getUint32(72, true),
    nonce: view.getUint32(76, true),
  }
}

/** The block hash (sha256d of the 80 bytes), display-order hex. */
export function headerHash(header: BlockHeader | Uint8Array): string {
  const bytes = header instanceof Uint8Array ? header : serializeHeader(header)
  if (bytes.length !== HEADER_SIZE) throw new TypeError(`block header must be ${HEADER_SIZE} bytes`)
  return toDisplayHex(sha256d(bytes))
}

/**
 * Expands compact `bits` to the 256-bit target: mantissa × 256^(exponent − 3) (Bitcoin Core
 * `arith_uint256::SetCompact`). A set sign bit (0x00800000) with a non-zero mantissa encodes a
 * negative target, which no hash meets: it yields 0n.
 */
export function bitsToTarget(bits: number): bigint {
  const exponent = (bits >>> 24) & 0xff
  const mantissa = BigInt(bits & 0x007fffff)
  if ((bits & 0x00800000) !== 0 && mantissa !== 0n) return 0n
  if (exponent <= 3) return mantissa >> BigInt(8 * (3 - exponent))
  return mantissa << BigInt(8 * (exponent - 3))
}

const MAX_TARGET = (1n << 256n) - 1n

/** Whether a block hash (display-order hex, i.e. big-endian) read as a number is ≤ the target of `bits`. */
export function meetsTarget(hash: string, bits: number): boolean {
  const target = bitsToTarget(bits)
  // A zero or overflowing target is invalid (Core `CheckProofOfWork`): nothing meets it.
  if (target === 0n || target > MAX_TARGET) return false
  hash32(hash, 'hash')
  return BigInt(`0x${hash}`) <= target
}

/** Expected hashes to find a block at `bits`: 2^256 / (target + 1), as Bitcoin Core's `GetBlockProof`. */
export function blockWork(bits: number): bigint {
  return 2n ** 256n / (bitsToTarget(bits) + 1n)
}
