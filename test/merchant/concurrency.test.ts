/**
 * Concurrent Payments for one invoice (PROTOCOLS.md P4 §10 steps 3, 4, 5 and 11): the unique
 * indexes decide the race, so the same Payment twice answers one ACK and two transactions credit
 * the invoice once. Each race runs on several invoices to give the interleavings a chance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { customer, type RunningShop, startShop } from '../support/merchant.ts'
import {
  buildTx,
  fetchTerms,
  invoiceOf,
  newInvoice,
  p4Payment,
  paymentRows,
  post,
} from '../support/p4-payments.ts'

const RACES = 5

let shop: RunningShop

beforeAll(async () => {
  shop = await startShop()
})
afterAll(() => shop.close())

async function broadcasterKnows(txid: string): Promise<boolean> {
  return (await fetch(`${shop.net.urls.arc}/v1/tx/${txid}`)).status === 200
}

describe('concurrent Payments', () => {
  it('two concurrent POSTs of the same Payment both get the same 201 ACK; one payment row', async () => {
    await Promise.all(
      Array.from({ length: RACES }, async () => {
        const { id, url } = await newInvoice(shop)
        const terms = await fetchTerms(url)
        const tx = await buildTx(await customer(shop), terms.outputs)
        const body = p4Payment(terms, tx)
        const [a, b] = await Promise.all([post(url, body), post(url, body)])
        expect([a.status, b.status]).toEqual([201, 201])
        expect(b.text).toBe(a.text)
        expect(a.json).toMatchObject({ id, tx_id: tx.id('hex'), error: 0 })
        expect(await paymentRows(shop, id)).toHaveLength(1)
        expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid', payment: { state: 'broadcast' } })
      }),
    )
  })

  it('two concurrent POSTs of different transactions: one 201, the other 409 PL2007; credited once', async () => {
    await Promise.all(
      Array.from({ length: RACES }, async () => {
        const { id, url } = await newInvoice(shop)
        const terms = await fetchTerms(url)
        const txs = [
          await buildTx(await customer(shop), terms.outputs),
          await buildTx(await customer(shop), terms.outputs),
        ]
        const answers = await Promise.all(txs.map((tx) => post(url, p4Payment(terms, tx))))
        const statuses = answers.map((a) => a.status).sort()
        expect(statuses).toEqual([201, 409])
        const winner = answers.findIndex((a) => a.status === 201)
        const loser = answers[1 - winner]!
        expect(loser.json).toMatchObject({ code: 'D001', reason: 'PL2007' })
        const rows = await paymentRows(shop, id)
        expect(rows.map((r) => r.txid)).toEqual([txs[winner]!.id('hex')])
        expect(await invoiceOf(shop, id)).toMatchObject({
          state: 'paid',
          payment: { txid: txs[winner]!.id('hex'), satoshisPaid: 5000 },
        })
        expect(await broadcasterKnows(txs[1 - winner]!.id('hex'))).toBe(false)
      }),
    )
  })
})
