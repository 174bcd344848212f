import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../core/bytes.ts'
import { largerRate } from './fees.ts'
import { parsePaymentRequest } from './parse-payment-request.ts'
import { toBip270PaymentRequest, toP4PaymentRequest } from './payment-request.ts'
import { NETWORKS, type PaymentTerms } from './payment-terms.ts'

const rate = fc.record({
  satoshis: fc.integer({ min: 0, max: 1000 }),
  bytes: fc.integer({ min: 1, max: 1000 }),
})
const seconds = fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => s * 1000)
const terms: fc.Arbitrary<PaymentTerms> = fc.record({
  network: fc.constantFrom(...NETWORKS),
  outputs: fc.array(
    fc.record(
      {
        amount: fc.integer({ min: 1, max: 2_100_000_000_000_000 }),
        script: fc.uint8Array({ minLength: 1, maxLength: 40 }).map(bytesToHex),
        description: fc.string({ maxLength: 100 }),
      },
      { requiredKeys: ['amount', 'script'] },
    ),
    { minLength: 1, maxLength: 5 },
  ),
  creationTimestamp: seconds,
  expirationTimestamp: seconds,
  memo: fc.string({ maxLength: 50 }),
  paymentUrl: fc.webUrl(),
  paymentId: fc.stringMatching(/^[A-Za-z0-9]{6,64}$/),
  merchant: fc
    .record({ name: fc.string({ maxLength: 100 }), extendedData: fc.constant({}) }, { requiredKeys: [] })
    .map((m) => ({ ...m, extendedData: {} })),
  fees: fc.record({ standard: rate, data: rate }),
  spvRequired: fc.boolean(),
})

describe('a wallet reads what the merchant serves, in either dialect', () => {
  it('P4: every term survives the wire', () => {
    fc.assert(
      fc.property(terms, (t) => {
        const read = parsePaymentRequest(JSON.parse(JSON.stringify(toP4PaymentRequest(t))))
        expect(read).toMatchObject({
          dialect: 'p4',
          network: t.network,
          outputs: t.outputs,
          creationTimestamp: t.creationTimestamp,
          expirationTimestamp: t.expirationTimestamp,
          memo: t.memo,
          paymentUrl: t.paymentUrl,
          paymentId: t.paymentId,
          fees: t.fees,
          spvRequired: t.spvRequired,
        })
      }),
    )
  })
  it('BIP270: the same, with the larger rate as the fee', () => {
    fc.assert(
      fc.property(terms, (t) => {
        const read = parsePaymentRequest(JSON.parse(JSON.stringify(toBip270PaymentRequest(t))))
        expect(read).toMatchObject({
          dialect: 'bip270',
          outputs: t.outputs,
          paymentId: t.paymentId,
          memo: t.memo,
        })
        expect(read.creationTimestamp).toBe(t.creationTimestamp)
        // the announced decimal, read back, is never below the larger rate and within 10⁻⁸ sat/byte of it
        const big = largerRate(t.fees)
        const fee = read.fees?.standard ?? { satoshis: 0, bytes: 1 }
        expect(fee.satoshis * big.bytes).toBeGreaterThanOrEqual(big.satoshis * fee.bytes)
        expect(fee.satoshis / fee.bytes - big.satoshis / big.bytes).toBeLessThanOrEqual(1e-8)
      }),
    )
  })
})
