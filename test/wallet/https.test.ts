/** The wallet paying a merchant served over HTTPS with a private CA certificate it is told to trust. */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPaylinkError } from '../../src/core/errors.ts'
import { openStore } from '../../src/store/index.ts'
import { Wallet } from '../../src/wallet/index.ts'
import { tempDb } from '../support/devnet.ts'
import { type RunningShop, startShop } from '../support/merchant.ts'

const tls = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url))

let shop: RunningShop

beforeAll(async () => {
  shop = await startShop({ tls: { cert: tls('server.pem'), key: tls('server.key') }, scheme: 'https' })
})
afterAll(() => shop.close())

/** An invoice made in-process (the admin API is behind the same private CA). */
async function invoiceUri(satoshis: number): Promise<string> {
  const res = await shop.merchant.app.inject({
    method: 'POST',
    url: '/api/v1/invoices',
    headers: { authorization: `Bearer ${shop.apiKey}` },
    payload: { satoshis, description: 'over tls' },
  })
  expect(res.statusCode).toBe(201)
  return (res.json() as { bitcoinUri: string }).bitcoinUri
}

describe('wallet over HTTPS', () => {
  it('trusting the given CA, it fetches the https request and pays it', async () => {
    const store = await openStore(tempDb('wallet'))
    try {
      const wallet = await Wallet.open({ store, http: { ca: tls('ca.pem') } })
      await wallet.fundFromDevnet(shop.net.urls.base, 20_000)
      const uri = await invoiceUri(4000)
      expect(uri).toMatch(/^bitcoin:\?sv&r=https:\/\/127\.0\.0\.1:/)
      const p = await wallet.fetchRequest(uri)
      expect(p.paymentUrl).toMatch(/^https:/)
      expect(await wallet.pay(p)).toMatchObject({ state: 'acked', ack: { error: 0 } })
    } finally {
      await store.close()
    }
  })

  it('without the CA, TLS refuses the merchant and nothing is paid', async () => {
    const store = await openStore(tempDb('wallet'))
    try {
      const wallet = await Wallet.open({ store })
      await expect(wallet.fetchRequest(await invoiceUri(1000))).rejects.toSatisfy((e) =>
        isPaylinkError(e, 'PL8005'),
      )
      expect(await wallet.history()).toEqual([])
    } finally {
      await store.close()
    }
  })
})
