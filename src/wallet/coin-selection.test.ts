import { P2PKH, PrivateKey, Transaction } from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { feeSizes, requiredFee } from '../chain/fee-rule.ts'
import { toSatoshisPerKilobyte } from '../p4/fees.ts'
import type { WalletCoinsTable } from '../store/schema.ts'
import { buildPaymentTx } from './build-payment-tx.ts'
import { estimateFee, planSpend } from './coin-selection.ts'
import { keyAt, scriptOf } from './wallet-keys.ts'

const master = PrivateKey.fromRandom()
const PAY_TO = new P2PKH().lock(PrivateKey.fromRandom().toAddress()).toHex()

/** Coins of `amounts`, all made by one parent transaction paying the wallet's keys 0…n−1. */
function coinsOf(amounts: number[]): WalletCoinsTable[] {
  const parent = new Transaction()
  amounts.forEach((satoshis, i) => {
    parent.addOutput({ satoshis, lockingScript: new P2PKH().lock(keyAt(master, i).toPublicKey().toHash()) })
  })
  const beef = parent.toHexBEEF()
  const txid = parent.id('hex')
  return amounts.map((satoshis, vout) => ({
    txid,
    vout,
    satoshis,
    script: scriptOf(keyAt(master, vout)),
    key_index: vout,
    state: 'available',
    payment_id: null,
    source_beef: beef,
    confirmed: 1,
    created_at: 0,
    updated_at: 0,
  }))
}

const rateArb = fc.record({
  satoshis: fc.integer({ min: 0, max: 500 }),
  bytes: fc.integer({ min: 1, max: 2000 }),
})

describe('coin selection (§8 fee rule)', () => {
  it('the signed tx pays at least the fee the rule of the request requires, and conserves money', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 2_000_000 }),
        rateArb,
        rateArb,
        async (amounts, pay, standard, data) => {
          const rates = { standard, data }
          const coins = coinsOf(amounts)
          const outputs = [{ script: PAY_TO, amount: pay }]
          const plan = await planSpend(coins, outputs, toSatoshisPerKilobyte(rates))
          if (plan === undefined) {
            const all = await estimateFee(amounts.length, outputs, false, toSatoshisPerKilobyte(rates))
            expect(amounts.reduce((a, b) => a + b, 0)).toBeLessThan(pay + all)
            return
          }
          expect(plan.total).toBe(pay + plan.fee + plan.change)
          const change =
            plan.change > 0 ? { satoshis: plan.change, script: scriptOf(keyAt(master, 99)) } : undefined
          const tx = await buildPaymentTx(master, plan, outputs, change)
          const paid = plan.total - tx.outputs.reduce((n, o) => n + (o.satoshis ?? 0), 0)
          expect(paid).toBe(plan.fee)
          expect(paid).toBeGreaterThanOrEqual(requiredFee(feeSizes(tx), rates))
        },
      ),
      { numRuns: 25 },
    )
  })

  it('takes the largest coins first, and no more than needed', async () => {
    const coins = coinsOf([1000, 50_000, 20_000, 30_000])
    const plan = await planSpend(coins, [{ script: PAY_TO, amount: 60_000 }], 1)
    expect(plan?.coins.map((c) => c.satoshis)).toEqual([50_000, 30_000])
    expect(plan?.change).toBe(80_000 - 60_000 - plan!.fee)
  })

  it('leaves change below one satoshi to the miner instead of making an output', async () => {
    const [coin] = coinsOf([10_000])
    const bare = await estimateFee(1, [{ script: PAY_TO, amount: 1 }], false, 1000)
    const withChange = await estimateFee(1, [{ script: PAY_TO, amount: 1 }], true, 1000)
    expect(withChange - bare).toBe(34)
    // 5 satoshis over the bare fee: a change output would cost 34 of them.
    const plan = await planSpend([coin!], [{ script: PAY_TO, amount: 10_000 - bare - 5 }], 1000)
    expect(plan).toMatchObject({ change: 0, fee: bare + 5 })
  })

  it('finds no plan when all coins cannot pay amount and fee', async () => {
    expect(await planSpend(coinsOf([500, 400]), [{ script: PAY_TO, amount: 900 }], 1)).toBeUndefined()
    expect(await planSpend([], [{ script: PAY_TO, amount: 1 }], 1)).toBeUndefined()
  })
})
