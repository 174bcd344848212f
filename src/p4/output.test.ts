import { describe, expect, it } from 'vitest'
import { outputSchema, outputsSchema } from './output.ts'

describe('Output (§5)', () => {
  it('amount ≥ 1, script 1–10,000 bytes, optional description ≤ 100', () => {
    expect(outputSchema.parse({ amount: 1, script: '6a', description: 'd', extra: 1 })).toEqual({
      amount: 1,
      script: '6a',
      description: 'd',
    })
    expect(outputSchema.safeParse({ amount: 1, script: '00'.repeat(10_000) }).success).toBe(true)
    for (const bad of [
      { amount: 0, script: '6a' },
      { amount: 1 },
      { amount: 1, script: '6a', description: 'd'.repeat(101) },
    ]) {
      expect(outputSchema.safeParse(bad).success).toBe(false)
    }
  })
  it('1 to 100 outputs', () => {
    const o = { amount: 1, script: '6a' }
    expect(outputsSchema.safeParse(Array(100).fill(o)).success).toBe(true)
    expect(outputsSchema.safeParse([]).success).toBe(false)
    expect(outputsSchema.safeParse(Array(101).fill(o)).success).toBe(false)
  })
})
