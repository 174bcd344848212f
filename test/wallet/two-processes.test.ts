/**
 * Two `paylink wallet pay` processes on one wallet store, racing for its one coin: exactly one
 * payment reaches the merchant, the other fails for want of coins, and no coin is spent twice.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.ts'
import { Wallet } from '../../src/wallet/index.ts'
import { type RunningShop, startShop } from '../support/merchant.ts'
import { runPaylink } from '../support/process.ts'
import { createInvoice, invoiceState } from './wallet-support.ts'

let shop: RunningShop

beforeAll(async () => {
  shop = await startShop()
})
afterAll(() => shop.close())

describe('two wallet processes on one store', () => {
  it('race for one coin: one pays, the other fails with PL8004; the merchant sees one payment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paylink-wallet-'))
    const store = await openStore(join(dir, 'wallet.db'))
    try {
      await (await Wallet.open({ store })).fundFromDevnet(shop.net.urls.base, 10_000)
    } finally {
      await store.close()
    }
    // More than half the coin each: whichever runs first, the change cannot pay the other.
    const [a, b] = await Promise.all([createInvoice(shop, 6000, 'a'), createInvoice(shop, 6000, 'b')])
    const runs = await Promise.all(
      [a, b].map((invoice) => runPaylink(['wallet', 'pay', invoice.bitcoinUri, '--yes', '--dir', dir])),
    )
    expect(runs.map((r) => r.code).sort()).toEqual([0, 1])
    expect(runs.find((r) => r.code === 1)?.stderr).toMatch(/not enough coins.*\(PL8004\)/)
    const states = await Promise.all([invoiceState(shop, a.id), invoiceState(shop, b.id)])
    expect(states.map((s) => s['state']).sort()).toEqual(['paid', 'pending'])
    expect(await shop.store.db.selectFrom('merchant_payments').select('txid').execute()).toHaveLength(1)
  })
})
