/**
 * A wallet on PostgreSQL shared by two processes' worth of `Wallet` objects (two pools on one
 * schema, as two `paylink wallet pay` running at once with one `DATABASE_URL`): six payments at
 * once are all ACKed, each coin is reserved by one payment only (the guarded update decides on
 * PostgreSQL as on SQLite), and the balance adds up to what was funded less what was paid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/store/index.ts'
import { Wallet } from '../../src/wallet/index.ts'
import { type RunningShop, startShop } from '../support/merchant.ts'
import { newInvoice } from '../support/p4-payments.ts'
import { dropPgTestSchemas, openPgTestStore, pgTestSchema, pgUrl } from '../support/services.ts'

const url = pgUrl()
const PAYMENTS = 6
const COIN = 20_000
const PRICE = 3000

describe.skipIf(url === undefined)('one wallet on PostgreSQL, two writers', () => {
  let shop: RunningShop
  const stores: Store[] = []
  let wallets: Wallet[] = []

  beforeAll(async () => {
    shop = await startShop()
    const schema = pgTestSchema()
    stores.push(await openPgTestStore(url as string, schema))
    const first = await Wallet.open({ store: stores[0]! })
    stores.push(await openPgTestStore(url as string, schema))
    wallets = [first, await Wallet.open({ store: stores[1]!, create: false })]
    for (let i = 0; i < PAYMENTS; i++) await first.fundFromDevnet(shop.net.urls.base, COIN)
  })
  afterAll(async () => {
    for (const store of stores) await store.close()
    await shop?.close()
    await dropPgTestSchemas(url as string)
  })

  it('six payments at once over both writers: all ACKed, no coin spent twice, the balance adds up', async () => {
    const invoices = await Promise.all(
      Array.from({ length: PAYMENTS }, () => newInvoice(shop, { satoshis: PRICE })),
    )
    const results = await Promise.all(
      invoices.map(async (invoice, i) => {
        const wallet = wallets[i % 2]!
        return wallet.pay(await wallet.fetchRequest(invoice.body['bitcoinUri'] as string))
      }),
    )
    expect(results.map((r) => r.state)).toEqual(Array(PAYMENTS).fill('acked'))
    const spent = await stores[0]!.db
      .selectFrom('wallet_coins')
      .select(['payment_id'])
      .where('state', '=', 'spent')
      .execute()
    expect(new Set(spent.map((c) => c.payment_id)).size).toBe(spent.length)
    const balance = await wallets[1]!.balance()
    expect(balance.reserved).toBe(0)
    const fees = (await wallets[0]!.history()).reduce((sum, p) => sum + p.fee, 0)
    expect(balance.available).toBe(PAYMENTS * COIN - PAYMENTS * PRICE - fees)
  })
})
