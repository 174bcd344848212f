/**
 * TSC merkle proofs (BRC-10, JSON form; protocols-p4.md §9): parsing, the root they prove, and the
 * conversions to and from BUMP (BRC-74), the one form the merchant stores (§13).
 * `nodes` run bottom-up in display-order hex; `"*"` stands for a copy of the working hash, which
 * Bitcoin only makes for a left child at the right edge of an odd level.
 */
import { MerklePath } from '@bsv/sdk'
import { z } from 'zod'
import { fromDisplayHex, hexToBytes, toDisplayHex } from '../core/bytes.ts'
import { PaylinkError } from '../core/errors.ts'
import { sha256d } from '../core/hash.ts'
import { headerHash, parseHeader } from './block-header.ts'
import { type MerklePathLeaf, merkleParent } from './merkle-tree.ts'

const HASH_HEX = /^[0-9a-fA-F]{64}$/

/** The JSON TSC proof (BRC-10). `proofType` `tree` and `composite: true` are not supported. */
export const tscProofSchema = z.object({
  index: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** A txid (display order) or a whole raw transaction, hex. */
  txOrId: z.string().regex(/^(?:[0-9a-fA-F]{2})+$/),
  /** A block hash, an 80-byte header or a merkle root, per `targetType`. */
  target: z.string().regex(/^(?:[0-9a-fA-F]{2})+$/),
  nodes: z.array(z.union([z.string().regex(HASH_HEX), z.literal('*')])),
  targetType: z.enum(['hash', 'header', 'merkleRoot']).optional(),
  proofType: z.literal('branch').optional(),
  composite: z.boolean().optional(),
})

/** A TSC proof (BRC-10). */
export type TscProof = z.infer<typeof tscProofSchema>

/** What a TSC `target` names. */
export type TscTargetType = NonNullable<TscProof['targetType']>

/** Parses a TSC proof at a trust boundary; any other shape, `tree` or composite proofs → `PL6002`. */
export function parseTscProof(json: unknown): TscProof {
  const parsed = tscProofSchema.safeParse(json)
  if (!parsed.success) {
    throw new PaylinkError('PL6002', 'not a TSC proof', { details: { errors: z.flattenError(parsed.error) } })
  }
  assertSupported(parsed.data)
  return parsed.data
}

/** Refuses what §9 refuses: `proofType` other than absent/`branch`, and composite proofs. */
function assertSupported(proof: TscProof): void {
  const proofType: unknown = proof.proofType
  if (proofType !== undefined && proofType !== 'branch') {
    throw new PaylinkError('PL6002', 'TSC proofType must be branch')
  }
  if (proof.composite === true) throw new PaylinkError('PL6002', 'composite TSC proofs are not supported')
}

/** The txid a proof is for: `txOrId` itself, or the sha256d of the raw tx it carries, display order. */
export function tscTxid(proof: TscProof): string {
  if (HASH_HEX.test(proof.txOrId)) return proof.txOrId.toLowerCase()
  return toDisplayHex(sha256d(hexToBytes(proof.txOrId)))
}

/** The block hash and/or merkle root a proof's `target` gives (display-order hex). */
export function tscTarget(proof: TscProof): { blockHash?: string; merkleRoot?: string } {
  const target = proof.target.toLowerCase()
  const type: TscTargetType = proof.targetType ?? 'hash'
  if (type === 'header') {
    const bytes = hexToBytes(target)
    if (bytes.length !== 80) throw new PaylinkError('PL6002', 'a header target is 80 bytes')
    return { blockHash: headerHash(bytes), merkleRoot: parseHeader(bytes).merkleRoot }
  }
  if (!HASH_HEX.test(target)) throw new PaylinkError('PL6002', `a ${type} target is 32 bytes`)
  return type === 'hash' ? { blockHash: target } : { merkleRoot: target }
}

function nodeBytes(node: string): Uint8Array {
  if (!HASH_HEX.test(node)) throw new PaylinkError('PL6002', 'a TSC node is 32 bytes of hex or "*"')
  return fromDisplayHex(node)
}

/**
 * The merkle root (display-order hex) `proof` proves for `txid`. The proof must be for `txid`
 * (else `PL6003`); `index` < 2^nodes.length, and `"*"` only where the working node is a left child
 * (else `PL6004`). Comparing the root with the chain is the caller's part (§9 Headers).
 */
export function tscRoot(proof: TscProof, txid: string): string {
  assertSupported(proof)
  if (tscTxid(proof) !== txid.toLowerCase()) throw new PaylinkError('PL6003', 'TSC proof is for another tx')
  if (!Number.isSafeInteger(proof.index) || proof.index < 0 || proof.index >= 2 ** proof.nodes.length) {
    throw new PaylinkError('PL6004', 'TSC index out of range for its nodes')
  }
  let working = fromDisplayHex(txid)
  let index = proof.index
  for (const node of proof.nodes) {
    const isRight = index % 2 === 1
    if (node === '*') {
      if (isRight) throw new PaylinkError('PL6004', 'TSC "*" node for a right child')
      working = merkleParent(working, working)
    } else {
      working = isRight ? merkleParent(nodeBytes(node), working) : merkleParent(working, nodeBytes(node))
    }
    index = Math.floor(index / 2)
  }
  return toDisplayHex(working)
}

/** The sibling of the working node at `height`, as a TSC node, or `undefined` if the path lacks it. */
function tscNode(path: MerklePath, index: number, height: number): string | undefined {
  const leaf = path.findOrComputeLeaf(height, (index >> height) ^ 1)
  if (leaf?.duplicate === true) return '*'
  if (leaf?.hash !== undefined) return leaf.hash.toLowerCase()
  // A single-level (full block) path leaves the right-edge copy implied, as `@bsv/sdk` reads it.
  const level0 = path.path[0] ?? []
  const maxOffset = level0.reduce((max, l) => Math.max(max, l.offset), 0)
  return path.path.length === 1 && index >> height === maxOffset >> height ? '*' : undefined
}

/** The height of the tree a path proves, read as `@bsv/sdk` `computeRoot` reads it. */
function treeHeight(path: MerklePath): number {
  const level0 = path.path[0] ?? []
  if (path.path.length === 1 && level0.length === 1) return 0
  const maxOffset = level0.reduce((max, l) => Math.max(max, l.offset), 0)
  return Math.max(path.path.length, 32 - Math.clz32(maxOffset))
}

/** The TSC proof of `txid` in a BUMP; `PL6003` if the path does not hold it, `PL6004` if it is incomplete. */
export function tscFromMerklePath(
  path: MerklePath,
  txid: string,
  target: string,
  targetType: TscTargetType = 'hash',
): TscProof {
  const id = txid.toLowerCase()
  const leaf = path.path[0]?.find((l) => l.hash?.toLowerCase() === id)
  if (leaf === undefined) throw new PaylinkError('PL6003', 'merkle path does not hold the tx')
  const nodes: string[] = []
  for (let height = 0; height < treeHeight(path); height++) {
    const node = tscNode(path, leaf.offset, height)
    if (node === undefined) throw new PaylinkError('PL6004', `merkle path lacks a node at height ${height}`)
    nodes.push(node)
  }
  const proof: TscProof = { index: leaf.offset, txOrId: id, target: target.toLowerCase(), nodes, targetType }
  if (tscRoot(proof, id) !== path.computeRoot(id)) {
    throw new PaylinkError('PL6004', 'merkle path inconsistent')
  }
  return proof
}

/** The BUMP (BRC-74) of a TSC proof at `blockHeight`: what the merchant stores. Checks the proof first. */
export function merklePathFromTsc(proof: TscProof, blockHeight: number): MerklePath {
  const txid = tscTxid(proof)
  tscRoot(proof, txid)
  const leaf: MerklePathLeaf = { offset: proof.index, hash: txid, txid: true }
  if (proof.nodes.length === 0) return new MerklePath(blockHeight, [[leaf]])
  const path = proof.nodes.map((node, height): MerklePathLeaf[] => {
    const offset = Math.floor(proof.index / 2 ** height) ^ 1
    const sibling = node === '*' ? { offset, duplicate: true } : { offset, hash: node.toLowerCase() }
    return height === 0 ? [leaf, sibling].sort((a, b) => a.offset - b.offset) : [sibling]
  })
  return new MerklePath(blockHeight, path)
}
