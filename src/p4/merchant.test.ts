import { describe, expect, it } from 'vitest'
import { merchantDetailsSchema, merchantSchema } from './merchant.ts'

describe('Merchant (§5)', () => {
  it('keeps extendedData keys and requires paymentReference', () => {
    const merchant = { name: 'Shop', extendedData: { paymentReference: 'Ab3dE6', orderNo: 42 } }
    expect(merchantSchema.parse(merchant)).toEqual(merchant)
    expect(merchantSchema.safeParse({ extendedData: { orderNo: 42 } }).success).toBe(false)
    expect(merchantSchema.safeParse({ name: 'Shop' }).success).toBe(false)
  })
  it('limits the display fields', () => {
    const extendedData = { paymentReference: 'x' }
    for (const [key, max] of [
      ['avatar', 1000],
      ['name', 100],
      ['email', 254],
      ['address', 500],
    ] as const) {
      expect(merchantSchema.safeParse({ [key]: 'a'.repeat(max), extendedData }).success).toBe(true)
      expect(merchantSchema.safeParse({ [key]: 'a'.repeat(max + 1), extendedData }).success).toBe(false)
    }
  })
  it('16 further keys and 4 KiB at most, on the wire and in configuration', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))
    expect(merchantDetailsSchema.safeParse({ extendedData: keys(16) }).success).toBe(true)
    expect(merchantDetailsSchema.safeParse({ extendedData: keys(17) }).success).toBe(false)
    expect(merchantDetailsSchema.safeParse({ extendedData: { a: 'x'.repeat(4096) } }).success).toBe(false)
  })
})
