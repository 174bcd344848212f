import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_SATOSHIS } from '../core/amount.ts'
import { btcToSatoshis, satoshisToBtc } from './btc-amount.ts'

describe('BIP21 amount (§2)', () => {
  it('converts decimal BTC exactly', () => {
    expect(btcToSatoshis('0')).toBe(0)
    expect(btcToSatoshis('0.00000001')).toBe(1)
    expect(btcToSatoshis('00012.5')).toBe(1_250_000_000)
  })
  it('refuses signs, exponents, grouping, empty parts and amounts past the ceiling', () => {
    for (const bad of [
      '',
      '.5',
      '1.',
      '+1',
      '-1',
      '1e8',
      '1,000',
      '1 ',
      '0x10',
      '21000001',
      '9'.repeat(30),
    ]) {
      expect(btcToSatoshis(bad)).toBeUndefined()
    }
  })
  it('round-trips every amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SATOSHIS }), (sats) => {
        expect(btcToSatoshis(satoshisToBtc(sats))).toBe(sats)
      }),
    )
  })
})
