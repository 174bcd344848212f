import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSatoshis, MAX_SATOSHIS, satoshis, sumSatoshis } from './amount.ts'
import { isPaylinkError } from './errors.ts'

describe('satoshi amounts', () => {
  it('accepts exactly the safe integers from 0 to 21 million BSV', () => {
    expect(isSatoshis(0)).toBe(true)
    expect(isSatoshis(MAX_SATOSHIS)).toBe(true)
    for (const bad of [-1, MAX_SATOSHIS + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', 2 ** 53]) {
      expect(isSatoshis(bad)).toBe(false)
    }
  })

  it('refuses anything else with PL1004 naming the field', () => {
    expect(() => satoshis(-5, 'amount')).toThrow(/amount/)
    try {
      satoshis(0.1)
    } catch (err) {
      expect(isPaylinkError(err, 'PL1004')).toBe(true)
    }
  })

  it('sums exactly and refuses totals past the ceiling', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e12 }), { maxLength: 50 }), (values) => {
        expect(sumSatoshis(values)).toBe(values.reduce((a, b) => a + b, 0))
      }),
    )
    expect(() => sumSatoshis([MAX_SATOSHIS, 1])).toThrow()
  })
})
