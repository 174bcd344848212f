import { MerklePath, P2PKH, PrivateKey, Transaction } from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, hexToBytes } from '../core/bytes.ts'
import { detectFormat, parseSubmission } from './transaction-format.ts'

/** A signed P2PKH spend of a (pretend) mined source, so raw, EF and BEEF forms all exist. */
async function signedSpend(): Promise<Transaction> {
  const key = PrivateKey.fromRandom()
  const source = new Transaction()
  source.addInput({
    sourceTXID: '11'.repeat(32),
    sourceOutputIndex: 0,
    unlockingScript: new P2PKH().lock(key.toAddress()),
  })
  source.addOutput({ satoshis: 5000, lockingScript: new P2PKH().lock(key.toAddress()) })
  source.merklePath = new MerklePath(7, [
    [
      { offset: 0, hash: '22'.repeat(32) },
      { offset: 1, hash: source.id('hex'), txid: true },
    ],
  ])
  const tx = new Transaction()
  tx.addInput({
    sourceTransaction: source,
    sourceOutputIndex: 0,
    unlockingScriptTemplate: new P2PKH().unlock(key),
  })
  tx.addOutput({ satoshis: 4000, lockingScript: new P2PKH().lock(PrivateKey.fromRandom().toAddress()) })
  await tx.sign()
  return tx
}

const tx = await signedSpend()
const FORMS = {
  raw: Uint8Array.from(tx.toBinary()),
  ef: Uint8Array.from(tx.toEF()),
  beef: Uint8Array.from(tx.toBEEF()),
} as const

describe('parseSubmission', () => {
  it.each(Object.entries(FORMS))('reads the %s form under the plain txid', (format, bytes) => {
    const parsed = parseSubmission(bytes)
    expect(parsed.format).toBe(format)
    expect(parsed.tx.id('hex')).toBe(tx.id('hex'))
    expect(bytesToHex(parsed.tx.toBinary())).toBe(bytesToHex(FORMS.raw))
  })

  it('gives EF inputs their source output', () => {
    const input = parseSubmission(FORMS.ef).tx.inputs[0]!
    expect(input.sourceTransaction?.outputs[0]?.satoshis).toBe(5000)
    expect(input.sourceTransaction?.outputs[0]?.lockingScript.toHex()).toBe(
      tx.inputs[0]!.sourceTransaction!.outputs[0]!.lockingScript.toHex(),
    )
  })

  it.each(Object.entries(FORMS))('refuses every truncation of the %s form', (_, bytes) => {
    for (let n = 0; n < bytes.length; n++) expect(() => parseSubmission(bytes.subarray(0, n))).toThrow()
  })

  it.each(Object.entries(FORMS))('refuses the %s form followed by a trailing byte', (_, bytes) => {
    expect(() => parseSubmission(concatBytes(bytes, Uint8Array.of(0)))).toThrow(/trailing/)
  })

  it('refuses counts larger than the bytes without reading them (no hang)', () => {
    const started = Date.now()
    for (const hex of [
      '01000000feffffff7f',
      '01000000ffffffffffffff1f00',
      '0100beef00feffffff7f',
      '0100beeffeffffff7f',
    ]) {
      expect(() => parseSubmission(hexToBytes(hex))).toThrow(/truncated/)
    }
    expect(Date.now() - started).toBeLessThan(100)
  })

  it('refuses a non-canonical compact size', () => {
    // The input count 1 written as 0xfd 0x0001.
    const raw = bytesToHex(FORMS.raw)
    const padded = hexToBytes(`${raw.slice(0, 8)}fd0100${raw.slice(10)}`)
    expect(() => parseSubmission(padded)).toThrow(/non-canonical/)
  })

  it('reads an EF input spending output 2^32 − 1 without allocating for it', () => {
    const ef = Uint8Array.from(FORMS.ef)
    // The vout of input 0: after version (4), marker (6), input count (1) and source txid (32).
    ef.set([0xff, 0xff, 0xff, 0xff], 43)
    const input = parseSubmission(ef).tx.inputs[0]!
    expect(input.sourceOutputIndex).toBe(0xffffffff)
    expect(input.sourceTransaction?.outputs[0xffffffff]?.satoshis).toBe(5000)
  })

  it('random bytes, bare or behind a format magic, are read or refused with an Error', () => {
    const prefixes = ['', '01000000', '010000000000000000ef', '0100beef', '0200beef']
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 200 }), (prefix, tail) => {
        const bytes = concatBytes(hexToBytes(prefix), tail)
        let format: string
        try {
          format = parseSubmission(bytes).format
        } catch (err) {
          expect(err).toBeInstanceOf(Error)
          return
        }
        expect(format).toBe(detectFormat(bytes))
      }),
      { numRuns: 500 },
    )
  })
})
