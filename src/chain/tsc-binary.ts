/**
 * The binary TSC proof (BRC-10 "binary format"; protocols-p4.md §9 "TSC proof … Binary"), as it
 * travels inside go-bc binary ancestry: flags (bit 0 a whole tx instead of its id; bits 1–2 the
 * target type: 0 hash, 2 header, 4 merkleRoot; bit 3 tree and bit 4 composite are refused),
 * varint index, [varint tx length, only with bit 0], txOrId, target (32 or 80 bytes), varint
 * node count, nodes (type 0 + 32 bytes, or type 1 = `*`). go-bc writes the 32-byte fields and the
 * 80-byte header byte-reversed, so each is reversed back to the JSON form's hex.
 */
import { bytesToHex, concatBytes, hexToBytes, reverseBytes, toDisplayHex } from '../core/bytes.ts'
import { PaylinkError } from '../core/errors.ts'
import { sha256d } from '../core/hash.ts'
import type { TscProof, TscTargetType } from './tsc-proof.ts'
import { WireCursor } from './wire-cursor.ts'

const TX_INSTEAD_OF_ID = 0x01
const TARGET_BITS = 0x06
const TARGETS = { 0: 'hash', 2: 'header', 4: 'merkleRoot' } as const satisfies Record<number, TscTargetType>
const NODE_HASH = 0
const NODE_DUPLICATE = 1

/**
 * Decodes a binary TSC proof; anything else (tree or composite flags, unknown bits or node types,
 * truncated or trailing bytes, index ≥ 2^nodes) throws `PL3002`. With bit 0 the carried tx is
 * taken in wire order; go-bc's writer reverses it too, so when `txid` is given and only the
 * reversed bytes hash to it, those are used.
 */
export function decodeTscBinary(bytes: Uint8Array, txid?: string): TscProof {
  try {
    return decode(new WireCursor(bytes), txid)
  } catch (cause) {
    if (cause instanceof PaylinkError) throw cause
    throw new PaylinkError('PL3002', `binary TSC proof: ${(cause as Error).message}`, { cause })
  }
}

function decode(c: WireCursor, txid: string | undefined): TscProof {
  const flags = c.u8()
  if ((flags & ~(TX_INSTEAD_OF_ID | TARGET_BITS)) !== 0) {
    throw new PaylinkError('PL3002', `binary TSC proof flags ${flags}: tree, composite or unknown bits`)
  }
  const targetType = TARGETS[(flags & TARGET_BITS) as keyof typeof TARGETS]
  if (targetType === undefined) throw new PaylinkError('PL3002', 'binary TSC proof: two target types')
  const index = c.varint()
  const txOrId =
    (flags & TX_INSTEAD_OF_ID) !== 0 ? carriedTx(c.take(c.varint()), txid) : toDisplayHex(c.take(32))
  const target = toDisplayHex(c.take(targetType === 'header' ? 80 : 32))
  const nodes: string[] = []
  // Each node takes at least one byte, so the count cannot outrun the bytes.
  for (let i = c.varint(); i > 0; i--) nodes.push(node(c))
  c.end()
  if (index >= 2 ** nodes.length) throw new PaylinkError('PL3002', 'binary TSC proof: index ≥ 2^nodes')
  return { index, txOrId, target, nodes, targetType }
}

function node(c: WireCursor): string {
  const type = c.u8()
  if (type === NODE_DUPLICATE) return '*'
  if (type !== NODE_HASH) throw new PaylinkError('PL3002', `binary TSC proof: node type ${type}`)
  return toDisplayHex(c.take(32))
}

function carriedTx(tx: Uint8Array, txid: string | undefined): string {
  if (tx.length <= 32)
    throw new PaylinkError('PL3002', 'binary TSC proof: a carried tx must be longer than 32 bytes')
  const reversed = reverseBytes(tx)
  const matches = (b: Uint8Array) => toDisplayHex(sha256d(b)) === txid?.toLowerCase()
  return bytesToHex(!matches(tx) && matches(reversed) ? reversed : tx)
}

function varint(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n)
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >> 8)
  if (n <= 0xffffffff) return Uint8Array.of(0xfe, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24)
  const out = new Uint8Array(9)
  out[0] = 0xff
  new DataView(out.buffer).setBigUint64(1, BigInt(n), true)
  return out
}

/** Encodes a TSC proof in the binary form `decodeTscBinary` reads (go-bc's byte order). */
export function encodeTscBinary(proof: TscProof): Uint8Array {
  const type = proof.targetType ?? 'hash'
  const isTx = proof.txOrId.length > 64
  const flags = (isTx ? TX_INSTEAD_OF_ID : 0) | (type === 'header' ? 2 : type === 'merkleRoot' ? 4 : 0)
  const txOrId = isTx
    ? concatBytes(varint(proof.txOrId.length / 2), hexToBytes(proof.txOrId))
    : rev(proof.txOrId)
  const nodes = proof.nodes.map((n) =>
    n === '*' ? Uint8Array.of(NODE_DUPLICATE) : concatBytes(Uint8Array.of(0), rev(n)),
  )
  return concatBytes(
    Uint8Array.of(flags),
    varint(proof.index),
    txOrId,
    rev(proof.target),
    varint(nodes.length),
    ...nodes,
  )
}

function rev(hex: string): Uint8Array {
  return reverseBytes(hexToBytes(hex))
}
