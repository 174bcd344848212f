/** The merchant over HTTPS with a certificate from a private CA, which the client trusts. */
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { customer, payTx, type RunningShop, startShop } from '../support/merchant.ts'

const tls = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url))
const ca = tls('ca.pem')

let shop: RunningShop

beforeAll(async () => {
  shop = await startShop({ tls: { cert: tls('server.pem'), key: tls('server.key') }, scheme: 'https' })
})
afterAll(() => shop.close())

/** An HTTPS request trusting only the test CA. */
function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ca }, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => {
        body += d.toString()
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

describe('merchant over HTTPS', () => {
  it('serves its PaymentRequest and takes a Payment over TLS, with https payment URLs', async () => {
    expect(shop.base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const created = await call(`${shop.base}/api/v1/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shop.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ satoshis: 3000, description: 'tls' }),
    })
    expect(created.status).toBe(201)
    const invoice = JSON.parse(created.body) as { paymentUrl: string; bitcoinUri: string }
    expect(invoice.paymentUrl).toMatch(/^https:\/\//)
    const req = JSON.parse((await call(invoice.paymentUrl)).body) as Record<string, unknown>
    const outputs = (req['destinations'] as { outputs: { script: string; amount: number }[] }).outputs
    const tx = await payTx(await customer(shop), outputs)
    const ack = await call(invoice.paymentUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchantData: req['merchantData'], rawTx: tx.toHex() }),
    })
    expect(ack.status).toBe(201)
    expect(JSON.parse(ack.body)).toMatchObject({ tx_id: tx.id('hex'), error: 0 })
  })

  it('a client that does not trust the CA is refused by TLS', async () => {
    const untrusting = new Promise((resolve, reject) => {
      const req = request(`${shop.base}/api/v1/health`, (res) => resolve(res.statusCode))
      req.on('error', reject)
      req.end()
    })
    await expect(untrusting).rejects.toThrow(/self-signed|unable to verify|certificate/i)
  })
})
