import { P2PKH, PrivateKey, Transaction, UnlockingScript } from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes, reverseBytes } from '../core/bytes.ts'
import { isPaylinkError } from '../core/errors.ts'
import { decodeTscBinary, encodeTscBinary } from './tsc-binary.ts'
import type { TscProof } from './tsc-proof.ts'
import { tscRoot } from './tsc-proof.ts'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return isPaylinkError(err) ? err.code : `not a PaylinkError: ${String(err)}`
  }
  return undefined
}

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex)
const proof: fc.Arbitrary<TscProof> = fc
  .record({
    nodes: fc.array(fc.oneof(hash, fc.constant('*' as const)), { maxLength: 20 }),
    txOrId: hash,
    targetType: fc.constantFrom('hash' as const, 'merkleRoot' as const, 'header' as const),
    target32: hash,
    header: fc.uint8Array({ minLength: 80, maxLength: 80 }).map(bytesToHex),
    seed: fc.nat(),
  })
  .map(({ nodes, txOrId, targetType, target32, header, seed }) => ({
    index: seed % 2 ** nodes.length,
    txOrId,
    target: targetType === 'header' ? header : target32,
    nodes,
    targetType,
  }))

describe('binary TSC proof', () => {
  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(proof, (p) => {
        expect(decodeTscBinary(encodeTscBinary(p))).toEqual(p)
      }),
      { numRuns: 300 },
    )
  })

  it('pins the layout: flags, varint index, reversed txid and target, typed nodes', () => {
    const txid = `01${'00'.repeat(31)}`
    const target = `02${'00'.repeat(31)}`
    const node = `03${'00'.repeat(31)}`
    const hex = `00 02 ${'00'.repeat(31)}01 ${'00'.repeat(31)}02 02 00${'00'.repeat(31)}03 01`.replaceAll(
      ' ',
      '',
    )
    const decoded = decodeTscBinary(hexToBytes(hex))
    expect(decoded).toEqual({ index: 2, txOrId: txid, target, nodes: [node, '*'], targetType: 'hash' })
    expect(bytesToHex(encodeTscBinary(decoded))).toBe(hex)
  })

  it('a carried tx is read in wire order, or reversed as go-bc writes it', () => {
    const tx = new Transaction(
      1,
      [{ sourceTXID: 'ab'.repeat(32), sourceOutputIndex: 0, unlockingScript: UnlockingScript.fromHex('00') }],
      [{ satoshis: 5, lockingScript: new P2PKH().lock(PrivateKey.fromRandom().toAddress()) }],
      0,
    )
    const txid = tx.id('hex')
    const p: TscProof = { index: 0, txOrId: tx.toHex(), target: txid, nodes: [], targetType: 'merkleRoot' }
    const wire = encodeTscBinary(p)
    expect(decodeTscBinary(wire, txid).txOrId).toBe(tx.toHex())
    // go-bc reverses the whole txOrId field: flags, index, length, then the tx bytes reversed.
    const raw = Uint8Array.from(tx.toBinary())
    const goBc = Uint8Array.from(wire)
    goBc.set(reverseBytes(raw), 3)
    const decoded = decodeTscBinary(goBc, txid)
    expect(decoded.txOrId).toBe(tx.toHex())
    expect(tscRoot(decoded, txid)).toBe(txid)
  })

  it.each([
    ['tree proof flag', '08'],
    ['composite flag', '10'],
    ['unknown flag bit', '20'],
    ['both target bits', '06'],
  ])('%s is PL3002', (_name, flags) => {
    expect(codeOf(() => decodeTscBinary(hexToBytes(`${flags}00${'00'.repeat(64)}00`)))).toBe('PL3002')
  })

  it('an index of 2^nodes or more, a node type other than 0 and 1, or trailing bytes are PL3002', () => {
    expect(codeOf(() => decodeTscBinary(hexToBytes(`0001${'00'.repeat(64)}00`)))).toBe('PL3002')
    expect(codeOf(() => decodeTscBinary(hexToBytes(`0000${'00'.repeat(64)}0102`)))).toBe('PL3002')
    expect(codeOf(() => decodeTscBinary(hexToBytes(`0000${'00'.repeat(64)}0000`)))).toBe('PL3002')
  })

  it('garbage is PL3002, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const code = codeOf(() => decodeTscBinary(bytes))
        expect(code === undefined || code === 'PL3002').toBe(true)
      }),
      { numRuns: 500 },
    )
  })
})
