import { Beef, LockingScript, P2PKH, PrivateKey, Transaction, UnlockingScript } from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, fromDisplayHex, hexToBytes, utf8ToBytes } from '../core/bytes.ts'
import { isPaylinkError } from '../core/errors.ts'
import { parseAncestry } from './ancestry.ts'
import { merklePathFor } from './merkle-tree.ts'
import { encodeTscBinary } from './tsc-binary.ts'
import { type TscProof, tscFromMerklePath } from './tsc-proof.ts'

/** A tx spending `vout` of `parentTxid` (unsigned: parsing does not evaluate scripts). */
function txSpending(parentTxid: string, satoshis: number, vout = 0): Transaction {
  return new Transaction(
    1,
    [
      {
        sourceTXID: parentTxid,
        sourceOutputIndex: vout,
        unlockingScript: UnlockingScript.fromHex('00'),
        sequence: 0xffffffff,
      },
    ],
    [{ satoshis, lockingScript: new P2PKH().lock(PrivateKey.fromRandom().toAddress()) }],
    0,
  )
}

const SOME_TXID = 'aa'.repeat(32)

/** A mined parent (merkle path in a 3-tx block at height 120), its child and grandchild. */
function family() {
  const parent = txSpending(SOME_TXID, 10_000)
  const block = ['11'.repeat(32), parent.id('hex'), '22'.repeat(32)]
  parent.merklePath = merklePathFor(block, 120, 1)
  const child = txSpending(parent.id('hex'), 9_000)
  child.inputs[0]!.sourceTransaction = parent
  const grandchild = txSpending(child.id('hex'), 8_000)
  grandchild.inputs[0]!.sourceTransaction = child
  return { parent, child, grandchild, block }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return isPaylinkError(err) ? err.code : `not a PaylinkError: ${String(err)}`
  }
  return undefined
}

// go-bc binary ancestry writer (spv/ancestry_binary.go layout), for test vectors.
function varint(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n)
  return Uint8Array.of(0xfd, n & 0xff, n >> 8)
}
const chunk = (flag: number, data: Uint8Array) => concatBytes(Uint8Array.of(flag), varint(data.length), data)
const txChunk = (tx: Transaction) => chunk(1, Uint8Array.from(tx.toBinary()))
const proofChunk = (proof: TscProof) => chunk(2, encodeTscBinary(proof))
function mapiChunk(responses: string[]): Uint8Array {
  const parts = responses.map((r) => concatBytes(varint(utf8ToBytes(r).length), utf8ToBytes(r)))
  return chunk(3, concatBytes(Uint8Array.of(responses.length), ...parts))
}
const binary = (...chunks: Uint8Array[]) => concatBytes(Uint8Array.of(1), ...chunks)

describe('BEEF ancestry', () => {
  it('BEEF V1 gives its last tx as subject and the BUMP of its mined parent', () => {
    const { parent, child, grandchild } = family()
    const ancestry = parseAncestry(Uint8Array.from(grandchild.toBEEF()), grandchild.id('hex'))
    expect(ancestry.format).toBe('beef')
    expect(ancestry.subject.id('hex')).toBe(grandchild.id('hex'))
    expect([...ancestry.txs.keys()].sort()).toEqual(
      [parent, child, grandchild].map((t) => t.id('hex')).sort(),
    )
    const proof = ancestry.txs.get(parent.id('hex'))?.proof
    expect(proof?.kind).toBe('bump')
    expect(proof?.kind === 'bump' && proof.path.computeRoot(parent.id('hex'))).toBe(
      parent.merklePath!.computeRoot(parent.id('hex')),
    )
    expect(ancestry.txs.get(child.id('hex'))?.proof).toBeUndefined()
  })

  it('BEEF V2 is read as beef-v2', () => {
    const { child, grandchild } = family()
    const beef = new Beef()
    beef.mergeTransaction(grandchild)
    const ancestry = parseAncestry(beef.toUint8Array())
    expect(ancestry.format).toBe('beef-v2')
    expect(ancestry.subject.id('hex')).toBe(grandchild.id('hex'))
    expect(ancestry.txs.has(child.id('hex'))).toBe(true)
  })

  it('Atomic BEEF gives its subject; another payment txid is PL3007', () => {
    const { child, grandchild } = family()
    const bytes = Uint8Array.from(grandchild.toAtomicBEEF())
    const ancestry = parseAncestry(bytes, grandchild.id('hex'))
    expect(ancestry.format).toBe('atomic-beef')
    expect(ancestry.subject.id('hex')).toBe(grandchild.id('hex'))
    expect(codeOf(() => parseAncestry(bytes, child.id('hex')))).toBe('PL3007')
  })

  it('a plain BEEF whose last tx is not the payment is PL3007', () => {
    const { child, grandchild } = family()
    expect(codeOf(() => parseAncestry(Uint8Array.from(child.toBEEF()), grandchild.id('hex')))).toBe('PL3007')
  })

  it('an Atomic BEEF holding a tx that is not an ancestor of its subject is PL3002', () => {
    const { grandchild } = family()
    const beef = Beef.fromBinary(grandchild.toBEEF())
    beef.mergeTransaction(txSpending('bb'.repeat(32), 1))
    const atomic = concatBytes(
      hexToBytes('01010101'),
      fromDisplayHex(grandchild.id('hex')),
      beef.toUint8Array(),
    )
    expect(codeOf(() => parseAncestry(atomic))).toBe('PL3002')
  })

  it('a txid-only BEEF V2 entry is PL3002', () => {
    const { child, grandchild } = family()
    const beef = new Beef()
    beef.mergeTxidOnly(child.id('hex'))
    beef.mergeRawTx(grandchild.toBinary())
    expect(codeOf(() => parseAncestry(beef.toUint8Array()))).toBe('PL3002')
  })

  it('a BUMP index past the BUMPs is PL3002', () => {
    const { parent } = family()
    // BEEF V1: no BUMPs, one tx flagged as having BUMP 0.
    const bytes = concatBytes(
      hexToBytes('0100beef00'),
      Uint8Array.of(1),
      Uint8Array.from(parent.toBinary()),
      Uint8Array.of(1, 0),
    )
    expect(codeOf(() => parseAncestry(bytes))).toBe('PL3002')
  })
})

describe('go-bc binary ancestry', () => {
  it('reads the payment, its parents, their TSC proofs and mAPI responses byte-exact', () => {
    const { parent, child, grandchild, block } = family()
    const path = merklePathFor(block, 120, 1)
    const proof = tscFromMerklePath(path, parent.id('hex'), 'cc'.repeat(32), 'hash')
    const response = '{"payload":"{\\"blockHeight\\":120}","signature":null}'
    const bytes = binary(
      txChunk(grandchild),
      txChunk(child),
      txChunk(parent),
      proofChunk(proof),
      mapiChunk([response]),
    )
    const ancestry = parseAncestry(bytes, grandchild.id('hex'))
    expect(ancestry.format).toBe('binary')
    expect(ancestry.subject.id('hex')).toBe(grandchild.id('hex'))
    expect(ancestry.txs.size).toBe(3)
    const entry = ancestry.txs.get(parent.id('hex'))
    expect(entry?.proof).toEqual({ kind: 'tsc', proof })
    expect(entry?.mapiResponses?.map((r) => new TextDecoder().decode(r))).toEqual([response])
    expect(ancestry.txs.get(child.id('hex'))?.proof).toBeUndefined()
  })

  it('its first tx is the subject: another payment txid is PL3007', () => {
    const { child, grandchild } = family()
    expect(
      codeOf(() => parseAncestry(binary(txChunk(child), txChunk(grandchild)), grandchild.id('hex'))),
    ).toBe('PL3007')
  })

  it.each([
    ['a chunk flag other than 1, 2, 3', (tx: Uint8Array) => binary(chunk(1, tx), chunk(4, Uint8Array.of(0)))],
    ['a proof before any tx', (tx: Uint8Array) => binary(chunk(2, Uint8Array.of(0)), chunk(1, tx))],
    ['a truncated chunk', (tx: Uint8Array) => binary(chunk(1, tx)).subarray(0, 20)],
    [
      'a tx chunk with trailing bytes',
      (tx: Uint8Array) => binary(chunk(1, concatBytes(tx, Uint8Array.of(0)))),
    ],
    [
      'a mAPI chunk whose count disagrees',
      (tx: Uint8Array) => binary(chunk(1, tx), chunk(3, Uint8Array.of(2, 1, 0x7b))),
    ],
    ['the same tx twice', (tx: Uint8Array) => binary(chunk(1, tx), chunk(1, tx))],
    ['no tx at all', () => Uint8Array.of(1, 1, 0)],
  ])('%s is PL3002', (_name, build) => {
    const tx = Uint8Array.from(family().grandchild.toBinary())
    expect(codeOf(() => parseAncestry(build(tx)))).toBe('PL3002')
  })

  it('two proofs for one tx, and tree or composite proofs, are PL3002', () => {
    const { parent, block } = family()
    const proof = tscFromMerklePath(merklePathFor(block, 120, 1), parent.id('hex'), 'cc'.repeat(32))
    const encoded = encodeTscBinary(proof)
    expect(codeOf(() => parseAncestry(binary(txChunk(parent), proofChunk(proof), proofChunk(proof))))).toBe(
      'PL3002',
    )
    for (const flag of [0x08, 0x10]) {
      const tree = Uint8Array.from(encoded)
      tree[0] = tree[0]! | flag
      expect(codeOf(() => parseAncestry(binary(txChunk(parent), chunk(2, tree))))).toBe('PL3002')
    }
  })
})

describe('ancestry of no known form', () => {
  it('bytes of no known form are PL3002', () => {
    for (const hex of ['', '00', '02000000', '0100bee0', '0201']) {
      expect(codeOf(() => parseAncestry(hexToBytes(hex)))).toBe('PL3002')
    }
  })

  it('a count claiming billions of entries is PL3002 at once', () => {
    const started = Date.now()
    expect(codeOf(() => parseAncestry(hexToBytes('0100beef00feffffff7f')))).toBe('PL3002')
    expect(codeOf(() => parseAncestry(hexToBytes('0101feffffff7f00')))).toBe('PL3002')
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('garbage behind each magic is PL3002, never a crash', () => {
    const { grandchild } = family()
    const prefixes = ['', '0100beef', '0200beef', `01010101${grandchild.id('hex')}0100beef`, '0101', '01']
    const bytes = fc
      .tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 300 }))
      .map(([prefix, tail]) => concatBytes(hexToBytes(prefix), tail))
    fc.assert(
      fc.property(bytes, (b) => {
        expect(codeOf(() => parseAncestry(b))).toBe('PL3002')
      }),
      { numRuns: 400 },
    )
  })

  it('a valid BEEF with bytes flipped is refused with PL3002 or parses, never crashes', () => {
    const bytes = Uint8Array.from(family().grandchild.toBEEF())
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const copy = Uint8Array.from(bytes)
        copy[at] = copy[at]! ^ xor
        const code = codeOf(() => parseAncestry(copy))
        expect(code === undefined || code === 'PL3002').toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})

describe('a hand-written vector', () => {
  it('pins the binary layout: version, flag, varint length, raw tx', () => {
    const tx = new Transaction(
      1,
      [
        {
          sourceTXID: SOME_TXID,
          sourceOutputIndex: 0,
          unlockingScript: UnlockingScript.fromHex('51'),
          sequence: 0,
        },
      ],
      [{ satoshis: 1, lockingScript: LockingScript.fromHex('51') }],
      0,
    )
    const raw = bytesToHex(tx.toBinary())
    const ancestry = parseAncestry(hexToBytes(`0101${(raw.length / 2).toString(16)}${raw}`))
    expect(ancestry.subject.toHex()).toBe(raw)
  })
})
