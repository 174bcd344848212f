/** §13 fallback: when the broadcaster's callback never arrives, the merchant asks for the proof. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArcClient } from '../../src/chain/arc-client.ts'
import { admin, customer, payTx, type RunningShop, startShop } from '../support/merchant.ts'

type Json = Record<string, unknown>

let shop: RunningShop

beforeAll(async () => {
  // Callbacks go to a port nobody listens on: only polling can bring the proof.
  shop = await startShop({ publicUrl: 'http://127.0.0.1:9' })
})
afterAll(() => shop.close())

describe('proof polling', () => {
  it('stores the proof the broadcaster gives when asked, verified, and nothing while unmined', async () => {
    const invoice = await admin(shop, 'POST', '/api/v1/invoices', { satoshis: 1500, description: 'poll' })
    const url = `${shop.base}/api/v1/payment/${invoice.body['id']}`
    const request = (await (await fetch(url)).json()) as Json
    const outputs = (request['destinations'] as { outputs: { script: string; amount: number }[] }).outputs
    const tx = await payTx(await customer(shop), outputs)
    const body = JSON.stringify({ merchantData: request['merchantData'], rawTx: tx.toHex() })
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(res.status).toBe(201)

    const arc = new ArcClient(shop.net.urls.arc)
    expect(await shop.merchant.proofs.poll(arc)).toBe(0)
    await fetch(`${shop.net.urls.base}/devnet/mine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(await shop.merchant.proofs.poll(arc)).toBe(1)
    const after = await admin(shop, 'GET', `/api/v1/invoices/${invoice.body['id']}`)
    expect(after.body['payment']).toMatchObject({
      state: 'mined',
      proof: { blockHeight: shop.net.devnet.ledger.tip.height },
    })
    expect(await shop.merchant.proofs.poll(arc)).toBe(0)
  })
})
