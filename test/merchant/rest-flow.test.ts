/** The basic REST model end to end over loopback: invoice, PaymentRequest, Payment, ACK. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admin, customer, payTx, type RunningShop, startShop } from '../support/merchant.ts'

let shop: RunningShop

beforeAll(async () => {
  shop = await startShop()
})
afterAll(() => shop.close())

type Json = Record<string, unknown>

describe('P4 REST model', () => {
  it('a P4 JSON client pays an invoice and gets a 201 ACK; the invoice is paid', async () => {
    const invoice = await admin(shop, 'POST', '/api/v1/invoices', { satoshis: 5000, description: 'coffee' })
    expect(invoice.status).toBe(201)
    const url = invoice.body['paymentUrl'] as string
    expect(invoice.body['bitcoinUri']).toMatch(/^bitcoin:\?sv&r=http/)

    const request = (await (await fetch(url)).json()) as Json
    const outputs = (request['destinations'] as { outputs: { script: string; amount: number }[] }).outputs
    expect(outputs[0]!.amount).toBe(5000)

    const coin = await customer(shop)
    const tx = await payTx(coin, outputs)
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        merchantData: request['merchantData'],
        rawTx: tx.toHex(),
        ancestry: tx.toHexBEEF(),
      }),
    })
    const ack = (await res.json()) as Json
    expect(res.status).toBe(201)
    expect(ack).toMatchObject({ id: invoice.body['id'], tx_id: tx.id('hex'), error: 0, peer_channel: null })

    const after = await admin(shop, 'GET', `/api/v1/invoices/${invoice.body['id']}`)
    expect(after.body).toMatchObject({
      state: 'paid',
      payment: { txid: tx.id('hex'), state: 'broadcast', ack },
    })
  })
})
