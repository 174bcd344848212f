/**
 * The Bitcoin merkle tree of a block's txids and the BUMP (BRC-74, protocols-p4.md §9) path of one
 * of them. Bitcoin's rule: a level with an odd count pairs its last node with itself. Txids and roots
 * are display-order hex in and out; hashing is over internal-order bytes.
 */
import { MerklePath } from '@bsv/sdk'
import { concatBytes, fromDisplayHex, toDisplayHex } from '../core/bytes.ts'
import { sha256d } from '../core/hash.ts'

/** One leaf of a BUMP level, as `@bsv/sdk` `MerklePath` holds it. */
export interface MerklePathLeaf {
  offset: number
  hash?: string
  txid?: boolean
  duplicate?: boolean
}

/** A parent node: sha256d(left ‖ right), all in internal byte order. */
export function merkleParent(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256d(concatBytes(left, right))
}

/** Every level of the tree, leaves first and the root level (one node) last. */
function merkleLevels(txids: readonly string[]): Uint8Array[][] {
  if (txids.length === 0) throw new RangeError('a block has at least one transaction')
  const levels: Uint8Array[][] = [txids.map(txidBytes)]
  let level = levels[0] as Uint8Array[]
  while (level.length > 1) {
    const next: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array
      next.push(merkleParent(left, level[i + 1] ?? left))
    }
    levels.push(next)
    level = next
  }
  return levels
}

function txidBytes(txid: string): Uint8Array {
  const bytes = fromDisplayHex(txid)
  if (bytes.length !== 32) throw new TypeError('a txid is 32 bytes')
  return bytes
}

/** The merkle root of a block's txids (in block order), display-order hex. */
export function merkleRoot(txids: readonly string[]): string {
  const levels = merkleLevels(txids)
  return toDisplayHex((levels[levels.length - 1] as Uint8Array[])[0] as Uint8Array)
}

/** The sibling of `offset` on `level`, or a duplicate marker at a right edge of odd length. */
function siblingLeaf(level: readonly Uint8Array[], offset: number): MerklePathLeaf {
  const sibling = offset ^ 1
  const node = level[sibling]
  return node === undefined
    ? { offset: sibling, duplicate: true }
    : { offset: sibling, hash: toDisplayHex(node) }
}

/**
 * The BUMP of the tx at `index`: level 0 holds the tx leaf (flagged `txid`) and its sibling, each
 * higher level the sibling of the working node; `duplicate` where Bitcoin pairs a node with itself.
 * A one-tx block gives a single level-0 leaf, the form `@bsv/sdk` reads as "the root is the txid".
 */
export function merklePathFor(txids: readonly string[], blockHeight: number, index: number): MerklePath {
  if (!Number.isInteger(index) || index < 0 || index >= txids.length) {
    throw new RangeError(`index ${index} outside the block's ${txids.length} transactions`)
  }
  const levels = merkleLevels(txids)
  const leaf: MerklePathLeaf = {
    offset: index,
    hash: toDisplayHex(levels[0]?.[index] as Uint8Array),
    txid: true,
  }
  if (txids.length === 1) return new MerklePath(blockHeight, [[leaf]])
  const path: MerklePathLeaf[][] = []
  // The root level has no sibling, so the path has one level fewer than `levels`.
  for (let height = 0; height < levels.length - 1; height++) {
    const sibling = siblingLeaf(levels[height] as Uint8Array[], index >> height)
    path.push(height === 0 ? [leaf, sibling].sort((a, b) => a.offset - b.offset) : [sibling])
  }
  return new MerklePath(blockHeight, path)
}
