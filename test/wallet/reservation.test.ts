/** Coins reserved by a payment are never spent by another, however the two interleave. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPaylinkError } from '../../src/core/errors.ts'
import { type RunningShop, startShop } from '../support/merchant.ts'
import { createInvoice, invoiceState, openWallet } from './wallet-support.ts'

let shop: RunningShop

beforeAll(async () => {
  shop = await startShop()
})
afterAll(() => shop.close())

describe('coin reservation', () => {
  it('two concurrent payments, one coin: exactly one is paid, the other fails for want of coins', async () => {
    const wallet = await openWallet()
    try {
      await wallet.fundFromDevnet(shop.net.urls.base, 10_000)
      const [a, b] = await Promise.all([createInvoice(shop, 3000, 'a'), createInvoice(shop, 3000, 'b')])
      const [pa, pb] = await Promise.all([
        wallet.fetchRequest(a.bitcoinUri),
        wallet.fetchRequest(b.bitcoinUri),
      ])
      const results = await Promise.allSettled([wallet.pay(pa), wallet.pay(pb)])

      const paid = results.filter((r) => r.status === 'fulfilled')
      const failed = results.filter((r) => r.status === 'rejected')
      expect(paid).toHaveLength(1)
      expect(paid[0]!.value.state).toBe('acked')
      expect(failed).toHaveLength(1)
      expect(isPaylinkError(failed[0]!.reason, 'PL8004')).toBe(true)

      const states = [await invoiceState(shop, a.id), await invoiceState(shop, b.id)].map((i) => i['state'])
      expect(states.sort()).toEqual(['paid', 'pending'])
      const received = await shop.store.db.selectFrom('merchant_payments').select('txid').execute()
      expect(received.map((r) => r.txid)).toEqual([paid[0]!.value.txid])
      expect(await wallet.history()).toHaveLength(1)
    } finally {
      await wallet.close()
    }
  })

  it('an undecided payment keeps its coins reserved: the next payment cannot use them', async () => {
    const wallet = await openWallet()
    try {
      await wallet.fundFromDevnet(shop.net.urls.base, 10_000)
      const first = await wallet.fetchRequest((await createInvoice(shop, 2000)).bitcoinUri)
      // Nothing listens on port 9: the send fails, the outcome stays unknown.
      const sent = await wallet.pay({ ...first, paymentUrl: 'http://127.0.0.1:9/api/v1/payment/x' })
      expect(sent.state).toBe('sent')
      expect(await wallet.balance()).toMatchObject({ available: 0, reserved: 10_000 })

      const second = await wallet.fetchRequest((await createInvoice(shop, 2000)).bitcoinUri)
      await expect(wallet.pay(second)).rejects.toSatisfy((e) => isPaylinkError(e, 'PL8004'))
      expect(await wallet.retryPending()).toMatchObject([{ id: sent.id, state: 'sent' }])
    } finally {
      await wallet.close()
    }
  })
})
