import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  arcPolicySchema,
  DEFAULT_FEE_RATES,
  type FeeRates,
  fromArcPolicy,
  fromBip274FeeRate,
  fromMapiFees,
  fromP4Fees,
  largerRate,
  mapiFeesSchema,
  p4FeesSchema,
  toBip274FeeRate,
  toP4Fees,
  toSatoshisPerKilobyte,
} from './fees.ts'

const rate = fc.record({
  satoshis: fc.integer({ min: 0, max: 1e6 }),
  bytes: fc.integer({ min: 1, max: 1e6 }),
})
const rates = fc.record({ standard: rate, data: rate })

describe('fee quotes (§8)', () => {
  it('emits exactly the keys of go-bt FeeQuote, relayFee = miningFee', () => {
    const fees = toP4Fees({ standard: { satoshis: 1, bytes: 1000 }, data: { satoshis: 2, bytes: 1000 } })
    expect(fees).toEqual({
      standard: { miningFee: { satoshis: 1, bytes: 1000 }, relayFee: { satoshis: 1, bytes: 1000 } },
      data: { miningFee: { satoshis: 2, bytes: 1000 }, relayFee: { satoshis: 2, bytes: 1000 } },
    })
  })
  it('P4 fees round-trip through the schema', () => {
    fc.assert(
      fc.property(rates, (r) => {
        expect(fromP4Fees(p4FeesSchema.parse(toP4Fees(r)))).toEqual(r)
      }),
    )
  })
  it('reads ARC policy: one mining fee for both', () => {
    const answer = arcPolicySchema.parse({
      timestamp: '2024-01-01T00:00:00Z',
      policy: {
        maxscriptsizepolicy: 1e8,
        miningFee: { satoshis: 1, bytes: 1000 },
        standardFormatSupported: true,
      },
    })
    expect(fromArcPolicy(answer)).toEqual(DEFAULT_FEE_RATES)
  })
  it('reads mAPI fees by feeType', () => {
    const fee = (feeType: string, satoshis: number) => ({
      feeType,
      miningFee: { satoshis, bytes: 1000 },
      relayFee: { satoshis: 0, bytes: 1000 },
    })
    const fees = mapiFeesSchema.parse([fee('data', 2), fee('other', 9), fee('standard', 1)])
    expect(fromMapiFees(fees)).toEqual({
      standard: { satoshis: 1, bytes: 1000 },
      data: { satoshis: 2, bytes: 1000 },
    })
    expect(fromMapiFees([fee('standard', 3)]).data).toEqual({ satoshis: 3, bytes: 1000 })
    expect(mapiFeesSchema.safeParse([fee('data', 2)]).success).toBe(false)
  })
  it('refuses fractional, negative and zero-byte rates', () => {
    for (const bad of [
      { satoshis: 0.5, bytes: 1 },
      { satoshis: -1, bytes: 1 },
      { satoshis: 1, bytes: 0 },
    ]) {
      expect(arcPolicySchema.safeParse({ policy: { miningFee: bad } }).success).toBe(false)
    }
  })
  it('largerRate compares s1·b2 with s2·b1 exactly', () => {
    const r: FeeRates = { standard: { satoshis: 1, bytes: 1000 }, data: { satoshis: 3, bytes: 2000 } }
    expect(largerRate(r)).toBe(r.data)
    fc.assert(
      fc.property(rates, (q) => {
        const big = largerRate(q)
        for (const other of [q.standard, q.data]) {
          expect(big.satoshis * other.bytes).toBeGreaterThanOrEqual(other.satoshis * big.bytes)
        }
      }),
    )
  })
  it('BIP274 feeRate is the larger rate as a decimal', () => {
    expect(toBip274FeeRate(DEFAULT_FEE_RATES)).toEqual({ satoshisPerByte: 0.001 })
    expect(toBip274FeeRate({ standard: { satoshis: 1, bytes: 2 }, data: { satoshis: 1, bytes: 4 } })).toEqual(
      {
        satoshisPerByte: 0.5,
      },
    )
  })
  it('SatoshisPerKilobyte rounds up', () => {
    expect(toSatoshisPerKilobyte(DEFAULT_FEE_RATES)).toBe(1)
    expect(
      toSatoshisPerKilobyte({ standard: { satoshis: 1, bytes: 3 }, data: { satoshis: 0, bytes: 1 } }),
    ).toBe(334)
  })
  it('reads a BIP274 decimal exactly, or rounds up', () => {
    expect(fromBip274FeeRate({ satoshisPerByte: 0.001 })).toEqual(DEFAULT_FEE_RATES)
    expect(fromBip274FeeRate({ satoshisPerByte: 5 }).standard).toEqual({ satoshis: 5, bytes: 1 })
    expect(fromBip274FeeRate({ satoshisPerByte: 1e-9 }).standard).toEqual({ satoshis: 1, bytes: 1e8 })
    fc.assert(
      fc.property(rates, (q) => {
        const back = fromBip274FeeRate(toBip274FeeRate(q)).standard
        const big = largerRate(q)
        // never less than announced: back ≥ big, compared as exact fractions
        expect(BigInt(back.satoshis) * BigInt(big.bytes) >= BigInt(big.satoshis) * BigInt(back.bytes)).toBe(
          true,
        )
      }),
    )
  })
})
