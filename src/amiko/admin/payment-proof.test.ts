import { describe, expect, it } from 'vitest'
import { newToken, transactionIdOf } from '../protocol/ids.ts'
import { newPrivateKey, publicKeyOf, sign } from '../protocol/signing.ts'
import { receiptSigningData } from '../protocol/signing-data.ts'
import { type PaymentProof, verifyPaymentProof } from './payment-proof.ts'

/** A committed payer line as the payment log holds it: the amount negative. */
function proof(): PaymentProof {
  const key = newPrivateKey()
  const token = newToken()
  const transactionId = transactionIdOf(token)
  const signature = sign(key, receiptSigningData(250, 'two coffees', transactionId))
  return { amount: -250, receipt: 'two coffees', transactionId, token, signature, payeeKey: publicKeyOf(key) }
}

describe('proof of payment (protocols-amiko.md §4 Receipt signature)', () => {
  it('a committed payer line with the payee signature is valid', () => {
    expect(verifyPaymentProof(proof())).toEqual({ valid: true, reasons: [] })
    expect(verifyPaymentProof({ ...proof(), amount: 250 }).valid).toBe(true)
  })

  it('a changed amount or receipt breaks the signature', () => {
    const p = proof()
    for (const tampered of [
      { ...p, amount: -2500 },
      { ...p, receipt: 'two coffees and a cake' },
    ]) {
      expect(verifyPaymentProof(tampered).reasons).toEqual([
        'the receipt signature does not verify with the payee key',
      ])
    }
  })

  it('a token that does not hash to the transaction ID is invalid', () => {
    const verdict = verifyPaymentProof({ ...proof(), token: newToken() })
    expect(verdict.valid).toBe(false)
    expect(verdict.reasons).toEqual([
      'the token does not hash to the transaction ID (RIPEMD160(SHA256(token)))',
    ])
  })

  it('a cancelled or unsigned payment proves nothing', () => {
    const verdict = verifyPaymentProof({ ...proof(), token: null, signature: null, payeeKey: null })
    expect(verdict.reasons).toHaveLength(2)
  })

  it('a transaction ID that is not hex is invalid, not a crash', () => {
    expect(verifyPaymentProof({ ...proof(), transactionId: 'zz' }).valid).toBe(false)
  })
})
