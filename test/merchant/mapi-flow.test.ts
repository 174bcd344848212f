/** The merchant broadcasting through mAPI: signed fee quote, submission, TSC merkle-proof callback. */
import { BlockHeadersService, MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { admin, customer, payTx, type RunningShop, startShop } from '../support/merchant.ts'

type Json = Record<string, unknown>

let shop: RunningShop

beforeAll(async () => {
  shop = await startShop({ broadcasterApi: 'mapi', proofDelivery: { retryBaseMs: 50, pollMs: 25 } })
})
afterAll(() => shop.close())

describe('merchant on mAPI', () => {
  it('takes a Payment, broadcasts it with mAPI, and stores the TSC proof mAPI calls back with', async () => {
    const invoice = await admin(shop, 'POST', '/api/v1/invoices', { satoshis: 2500, description: 'via mAPI' })
    const url = invoice.body['paymentUrl'] as string
    const request = (await (await fetch(url)).json()) as Json
    expect(request['fees']).toMatchObject({ standard: { miningFee: { satoshis: 1, bytes: 1000 } } })
    const outputs = (request['destinations'] as { outputs: { script: string; amount: number }[] }).outputs
    const tx = await payTx(await customer(shop), outputs)
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchantData: request['merchantData'], rawTx: tx.toHex() }),
    })
    expect(res.status).toBe(201)
    expect(await fetch(`${shop.net.urls.arc}/v1/tx/${tx.id('hex')}`).then((r) => r.status)).toBe(200)

    await fetch(`${shop.net.urls.base}/devnet/mine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    let after = await admin(shop, 'GET', `/api/v1/invoices/${invoice.body['id']}`)
    for (let i = 0; i < 100 && (after.body['payment'] as Json)['state'] !== 'mined'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      after = await admin(shop, 'GET', `/api/v1/invoices/${invoice.body['id']}`)
    }
    const payment = after.body['payment'] as { state: string; proof: { merklePath: string } }
    expect(payment.state).toBe('mined')
    const verified = await MerklePath.fromHex(payment.proof.merklePath).verify(
      tx.id('hex'),
      new BlockHeadersService(shop.net.urls.headers),
    )
    expect(verified).toBe(true)
  })
})
