import { MerklePath } from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../core/bytes.ts'
import { isPaylinkError } from '../core/errors.ts'
import { sha256 } from '../core/hash.ts'
import { serializeHeader } from './block-header.ts'
import { merklePathFor, merkleRoot } from './merkle-tree.ts'
import {
  merklePathFromTsc,
  parseTscProof,
  type TscProof,
  tscFromMerklePath,
  tscRoot,
  tscTarget,
  tscTxid,
} from './tsc-proof.ts'

function fakeTxids(count: number, seed = 'tx'): string[] {
  return Array.from({ length: count }, (_, i) => bytesToHex(sha256(new TextEncoder().encode(`${seed}-${i}`))))
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return isPaylinkError(err) ? err.code : 'not a PaylinkError'
  }
  return undefined
}

// BRC-74's example BUMP (mainnet block 813706, three txids at level 0), as `@bsv/sdk`'s tests carry it.
const BRC74_HEX =
  'fe8a6a0c000c04fde80b0011774f01d26412f0d16ea3f0447be0b5ebec67b0782e321a7a01cbdf7f734e30fde90b02004e5375' +
  '3e3fe4667073063a17987292cfdea278824e9888e52180581d7188d8fdea0b025e441996fc53f0191d649e68a200e752fb5f39e0' +
  'd5617083408fa179ddc5c998fdeb0b0102fdf405000671394f72237d08a4277f4435e5b6edf7adc272f25effef27cdfe805ce71a' +
  '81fdf50500262bccabec6c4af3ed00cc7a7414edea9c5efa92fb8623dd6160a001450a528201fdfb020101fd7c010093b3efca9b' +
  '77ddec914f8effac691ecb54e2c81d0ab81cbc4c4b93befe418e8501bf01015e005881826eb6973c54003a02118fe270f03d46d0' +
  '2681c8bc71cd44c613e86302f8012e00e07a2bb8bb75e5accff266022e1e5e6e7b4d6d943a04faadcf2ab4a22f796ff301160081' +
  '20cafa17309c0bb0e0ffce835286b3a2dcae48e4497ae2d2b7ced4f051507d010a00502e59ac92f46543c23006bff855d96f5e64' +
  '8043f0fb87a7a5949e6a9bebae430104001ccd9f8f64f4d0489b30cc815351cf425e0e78ad79a589350e4341ac165dbe45010301' +
  '010000af8764ce7e1cc132ab5ed2229a005c87201c9a5ee15c0f91dd53eff31ab30cd4'
const BRC74_ROOT = '57aab6e6fb1b697174ffb64e062c4728f2ffd33ddcfa02a43b64d8cd29b483b4'
const BRC74_TXID3 = '98c9c5dd79a18f40837061d5e0395ffb52e700a2689e641d19f053fc9619445e'
// The TSC proof of BRC74_TXID3, written out by hand from BRC-74's JSON example (offset 3050).
const BRC74_TXID3_TSC: TscProof = {
  index: 3050,
  txOrId: BRC74_TXID3,
  target: BRC74_ROOT,
  targetType: 'merkleRoot',
  nodes: [
    '*',
    '811ae75c80fecd27efff5ef272c2adf7edb6e535447f27a4087d23724f397106',
    '*',
    '858e41febe934b4cbc1cb80a1dc8e254cb1e69acff8e4f91ecdd779bcaefb393',
    '*',
    'f80263e813c644cd71bcc88126d0463df070e28f11023a00543c97b66e828158',
    'f36f792fa2b42acfadfa043a946d4d7b6e5e1e2e0266f2cface575bbb82b7ae0',
    '7d5051f0d4ceb7d2e27a49e448aedca2b3865283ceffe0b00b9c3017faca2081',
    '43aeeb9b6a9e94a5a787fbf04380645e6fd955f8bf0630c24365f492ac592e50',
    '45be5d16ac41430e3589a579ad780e5e42cf515381cc309b48d0f4648f9fcd1c',
    '*',
    'd40cb31af3ef53dd910f5ce15e9a1c20875c009a22d25eab32c11c7ece6487af',
  ],
}

// Bitcoin's genesis block: one tx, whose raw bytes hash to the block's merkle root.
const GENESIS_COINBASE_RAW =
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468' +
  '652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261' +
  '696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e0' +
  '3909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000'
const GENESIS_TXID = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b'
const GENESIS_HASH = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'
const GENESIS_HEADER_HEX = bytesToHex(
  serializeHeader({
    version: 1,
    prevHash: '0'.repeat(64),
    merkleRoot: GENESIS_TXID,
    time: 1231006505,
    bits: 0x1d00ffff,
    nonce: 2083236893,
  }),
)

describe('TSC proof known vectors', () => {
  it('converts the BRC-74 example BUMP to the TSC proof written from its JSON form', () => {
    const tsc = tscFromMerklePath(MerklePath.fromHex(BRC74_HEX), BRC74_TXID3, BRC74_ROOT, 'merkleRoot')
    expect(tsc).toEqual(BRC74_TXID3_TSC)
  })

  it('computes the BRC-74 example root from the hand-written TSC proof', () => {
    expect(tscRoot(BRC74_TXID3_TSC, BRC74_TXID3)).toBe(BRC74_ROOT)
    expect(tscTarget(BRC74_TXID3_TSC)).toEqual({ merkleRoot: BRC74_ROOT })
  })

  it('gives the root of every txid of the BRC-74 compound BUMP', () => {
    const path = MerklePath.fromHex(BRC74_HEX)
    for (const leaf of path.path[0] ?? []) {
      if (leaf.hash === undefined) continue
      expect(tscRoot(tscFromMerklePath(path, leaf.hash, BRC74_ROOT), leaf.hash)).toBe(BRC74_ROOT)
    }
  })

  it('proves the genesis coinbase from its raw tx against the genesis header', () => {
    const proof = parseTscProof({
      index: 0,
      txOrId: GENESIS_COINBASE_RAW,
      target: GENESIS_HEADER_HEX,
      targetType: 'header',
      nodes: [],
    })
    expect(tscTxid(proof)).toBe(GENESIS_TXID)
    expect(tscRoot(proof, GENESIS_TXID)).toBe(GENESIS_TXID)
    expect(tscTarget(proof)).toEqual({ blockHash: GENESIS_HASH, merkleRoot: GENESIS_TXID })
    const bump = merklePathFromTsc(proof, 0)
    expect(bump.path).toEqual([[{ offset: 0, hash: GENESIS_TXID, txid: true }]])
    expect(bump.computeRoot(GENESIS_TXID)).toBe(GENESIS_TXID)
  })
})

describe('TSC ⇄ BUMP', () => {
  const tree = fc
    .uniqueArray(
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b)),
      { minLength: 1, maxLength: 64 },
    )
    .chain((txids) => fc.tuple(fc.constant(txids), fc.nat({ max: txids.length - 1 })))

  it('BUMP → TSC gives the same root, and TSC → BUMP computes it too', () => {
    fc.assert(
      fc.property(tree, ([txids, index]) => {
        const txid = txids[index] as string
        const root = merkleRoot(txids)
        const tsc = tscFromMerklePath(merklePathFor(txids, 900_000, index), txid, 'ab'.repeat(32))
        expect(tsc.index).toBe(index)
        expect(tscRoot(tsc, txid)).toBe(root)
        const bump = merklePathFromTsc(tsc, 900_000)
        expect(bump.computeRoot(txid)).toBe(root)
        expect(MerklePath.fromHex(bump.toHex()).computeRoot(txid)).toBe(root)
        expect(bump.toHex()).toBe(merklePathFor(txids, 900_000, index).toHex())
      }),
    )
  })

  it('reads a full-block single-level BUMP, implying the right-edge copies', () => {
    const txids = fakeTxids(7)
    const full = new MerklePath(5, [txids.map((hash, offset) => ({ offset, hash, txid: true }))])
    for (const [index, txid] of txids.entries()) {
      const tsc = tscFromMerklePath(full, txid, 'ab'.repeat(32))
      expect(tsc.nodes).toEqual(
        tscFromMerklePath(merklePathFor(txids, 5, index), txid, 'ab'.repeat(32)).nodes,
      )
    }
  })

  it('refuses a txid the BUMP does not hold', () => {
    const txids = fakeTxids(4)
    const path = merklePathFor(txids, 1, 0)
    expect(codeOf(() => tscFromMerklePath(path, fakeTxids(1, 'other')[0] as string, 'ab'.repeat(32)))).toBe(
      'PL6003',
    )
  })
})

describe('TSC proofs that do not verify', () => {
  const txids = fakeTxids(6)
  const txid = txids[3] as string
  const good = tscFromMerklePath(merklePathFor(txids, 1, 3), txid, 'ab'.repeat(32))

  it('a tampered node gives another root', () => {
    const nodes = [...good.nodes]
    nodes[1] = 'ff'.repeat(32)
    expect(tscRoot({ ...good, nodes }, txid)).not.toBe(merkleRoot(txids))
  })

  it('a wrong index gives another root', () => {
    expect(tscRoot({ ...good, index: 2 }, txid)).not.toBe(merkleRoot(txids))
  })

  it('an index of 2^nodes or more is refused', () => {
    expect(codeOf(() => tscRoot({ ...good, index: 2 ** good.nodes.length }, txid))).toBe('PL6004')
  })

  it('"*" for a right child is refused', () => {
    // Index 3 is a right child at level 0.
    expect(codeOf(() => tscRoot({ ...good, nodes: ['*', ...good.nodes.slice(1)] }, txid))).toBe('PL6004')
  })

  it('a proof for another tx is refused', () => {
    expect(codeOf(() => tscRoot(good, txids[0] as string))).toBe('PL6003')
  })

  it('tree and composite proofs are refused', () => {
    const tree = { ...good, proofType: 'tree' } as unknown as TscProof
    expect(codeOf(() => tscRoot(tree, txid))).toBe('PL6002')
    expect(codeOf(() => tscRoot({ ...good, composite: true }, txid))).toBe('PL6002')
    expect(codeOf(() => parseTscProof({ ...good, composite: true }))).toBe('PL6002')
    expect(codeOf(() => parseTscProof({ ...good, proofType: 'tree' }))).toBe('PL6002')
    expect(tscRoot({ ...good, proofType: 'branch', composite: false }, txid)).toBe(merkleRoot(txids))
  })

  it('a malformed node is refused', () => {
    expect(codeOf(() => tscRoot({ ...good, nodes: ['abcd', ...good.nodes.slice(1)] }, txid))).toBe('PL6002')
  })

  it('a target of the wrong size for its type is refused', () => {
    expect(codeOf(() => tscTarget({ ...good, targetType: 'header' }))).toBe('PL6002')
    expect(codeOf(() => tscTarget({ ...good, target: GENESIS_HEADER_HEX }))).toBe('PL6002')
  })

  it('garbage never parses as a proof, and never crashes the parser', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const code = codeOf(() => parseTscProof(value))
        expect(code === undefined || code === 'PL6002').toBe(true)
      }),
    )
    expect(codeOf(() => parseTscProof({ index: -1, txOrId: txid, target: txid, nodes: [] }))).toBe('PL6002')
  })
})
