import { MerklePath } from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../core/bytes.ts'
import { sha256 } from '../core/hash.ts'
import { merklePathFor, merkleRoot } from './merkle-tree.ts'

/** Distinct pseudo-txids, deterministic per seed. */
function fakeTxids(count: number, seed = 'tx'): string[] {
  return Array.from({ length: count }, (_, i) => bytesToHex(sha256(new TextEncoder().encode(`${seed}-${i}`))))
}

/** The root `@bsv/sdk` computes from a full-block (single-level) path: an independent implementation. */
function sdkRoot(txids: string[]): string {
  const level = txids.map((hash, offset) => ({ offset, hash, txid: true }))
  return new MerklePath(1, [level]).computeRoot()
}

// Bitcoin block 100000: four transactions.
const BLOCK_100000_TXIDS = [
  '8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87',
  'fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4',
  '6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4',
  'e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d',
]
const BLOCK_100000_ROOT = 'f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766'

describe('merkleRoot', () => {
  it('computes the merkle root of block 100000', () => {
    expect(merkleRoot(BLOCK_100000_TXIDS)).toBe(BLOCK_100000_ROOT)
  })

  it('is the txid itself for a one-tx block (the genesis coinbase)', () => {
    const coinbase = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'
    expect(merkleRoot([coinbase])).toBe(coinbase)
  })

  it('duplicates the last node of an odd level (three txs = four with the last repeated)', () => {
    const [a, b, c] = fakeTxids(3) as [string, string, string]
    expect(merkleRoot([a, b, c])).toBe(merkleRoot([a, b, c, c]))
  })

  it('agrees with @bsv/sdk on every size from 1 to 33', () => {
    for (let n = 1; n <= 33; n++) expect(merkleRoot(fakeTxids(n))).toBe(sdkRoot(fakeTxids(n)))
  })

  it('refuses an empty block and a malformed txid', () => {
    expect(() => merkleRoot([])).toThrow(RangeError)
    expect(() => merkleRoot(['abcd'])).toThrow(TypeError)
  })
})

describe('merklePathFor', () => {
  it('proves every tx of every tree size from 1 to 17', () => {
    for (let n = 1; n <= 17; n++) {
      const txids = fakeTxids(n, `size-${n}`)
      const root = merkleRoot(txids)
      for (let i = 0; i < n; i++) expect(merklePathFor(txids, 800_000, i).computeRoot(txids[i])).toBe(root)
    }
  })

  it('proves any tx of random trees of 1 to 64 txs, and survives a hex round trip', () => {
    const txid = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b))
    const tree = fc
      .uniqueArray(txid, { minLength: 1, maxLength: 64 })
      .chain((txids) => fc.tuple(fc.constant(txids), fc.nat({ max: txids.length - 1 })))
    fc.assert(
      fc.property(tree, fc.nat({ max: 10_000_000 }), ([txids, index], height) => {
        const path = merklePathFor(txids, height, index)
        const back = MerklePath.fromHex(path.toHex())
        expect(path.computeRoot(txids[index])).toBe(merkleRoot(txids))
        expect(back.computeRoot(txids[index])).toBe(merkleRoot(txids))
        expect(back.blockHeight).toBe(height)
        expect(back.toHex()).toBe(path.toHex())
      }),
    )
  })

  it('gives a coinbase-only block one level-0 leaf flagged txid whose root is the txid', () => {
    const [coinbase] = fakeTxids(1) as [string]
    const path = merklePathFor([coinbase], 7, 0)
    expect(path.path).toEqual([[{ offset: 0, hash: coinbase, txid: true }]])
    expect(path.computeRoot(coinbase)).toBe(coinbase)
    expect(MerklePath.fromHex(path.toHex()).computeRoot(coinbase)).toBe(coinbase)
  })

  it('lays out level 0 as the tx and its sibling, and one sibling per higher level', () => {
    const txids = fakeTxids(8)
    const path = merklePathFor(txids, 1, 5)
    expect(path.path.map((level) => level.map((leaf) => leaf.offset))).toEqual([[4, 5], [3], [0]])
    expect(path.path[0]).toEqual([
      { offset: 4, hash: txids[4] },
      { offset: 5, hash: txids[5], txid: true },
    ])
  })

  it('marks the duplicated right-edge nodes instead of carrying hashes', () => {
    // Five txs, the last one: duplicated at level 0 and at level 1, a real sibling at level 2.
    const txids = fakeTxids(5)
    const path = merklePathFor(txids, 1, 4)
    expect(path.path).toEqual([
      [
        { offset: 4, hash: txids[4], txid: true },
        { offset: 5, duplicate: true },
      ],
      [{ offset: 3, duplicate: true }],
      [{ offset: 0, hash: expect.any(String) }],
    ])
    expect(path.computeRoot(txids[4])).toBe(merkleRoot(txids))
  })

  it('refuses an index outside the block', () => {
    expect(() => merklePathFor(fakeTxids(3), 1, 3)).toThrow(RangeError)
    expect(() => merklePathFor(fakeTxids(3), 1, -1)).toThrow(RangeError)
  })
})
