import { describe, expect, it } from 'vitest'
import { paymentTermsSchema } from './payment-terms.ts'
import { sampleTerms } from './test-terms.ts'

describe('PaymentTerms', () => {
  it('read back from the store as written', () => {
    const terms = sampleTerms()
    expect(paymentTermsSchema.parse(JSON.parse(JSON.stringify(terms)))).toEqual(terms)
  })
  it('refuses a paymentId of another shape and an unknown network', () => {
    expect(paymentTermsSchema.safeParse({ ...sampleTerms(), paymentId: 'a-b' }).success).toBe(false)
    expect(paymentTermsSchema.safeParse({ ...sampleTerms(), network: 'mainnet' }).success).toBe(false)
  })
})
