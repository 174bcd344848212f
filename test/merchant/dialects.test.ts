/**
 * Content negotiation of the P4 endpoints (PROTOCOLS.md P4 §4, §5, §6): a strict BIP270 client,
 * a BIP271 client, the URI list, the response headers, CORS, payd's plural path, and a request
 * body that stays the same while its fee quote is valid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.ts'
import { type RunningDevnet, startDevnet } from '../support/devnet.ts'
import { customer, type RunningShop, startShop } from '../support/merchant.ts'
import {
  buildTx,
  fetchTerms,
  invoiceOf,
  type Json,
  newInvoice,
  p4Payment,
  post,
} from '../support/p4-payments.ts'

const BIP270_REQUEST = 'application/bitcoinsv-paymentrequest'
const BIP270_PAYMENT = 'application/bitcoinsv-payment'

let net: RunningDevnet
let shop: RunningShop
const clock = new ManualClock(Date.now())

beforeAll(async () => {
  net = await startDevnet()
  shop = await startShop({ net, clock })
})
afterAll(async () => {
  await shop.close()
  await net.close()
})

async function get(url: string, accept?: string) {
  const res = await fetch(url, accept === undefined ? {} : { headers: { accept } })
  return { status: res.status, headers: res.headers, text: await res.text() }
}

describe('a strict BIP270 client', () => {
  it('gets outputs, unix-second timestamps, a string merchantData and a BIP274 feeRate', async () => {
    const { id, url } = await newInvoice(shop, { satoshis: 7000, description: 'a strict BIP270 client' })
    const res = await get(url, BIP270_REQUEST)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const request = JSON.parse(res.text) as Json
    expect(request).toMatchObject({
      network: 'regtest',
      outputs: [{ amount: 7000, script: expect.stringMatching(/^76a914[0-9a-f]{40}88ac$/) }],
      memo: 'a strict BIP270 client',
      paymentUrl: url,
      merchantData: `{"paymentReference":"${id}"}`,
      feeRate: { satoshisPerByte: 0.001 },
    })
    expect(request['creationTimestamp']).toBe(Math.floor(clock.now() / 1000))
    const expiresAt = Date.parse((await invoiceOf(shop, id))['expiresAt'] as string)
    expect(request['expirationTimestamp']).toBe(expiresAt / 1000)
    expect(request).not.toHaveProperty('destinations')
  })

  it('posts application/bitcoinsv-payment with the string merchantData and gets a 201 BIP270 ACK', async () => {
    const { id, url } = await newInvoice(shop)
    const request = JSON.parse((await get(url, BIP270_REQUEST)).text) as Json
    const tx = await buildTx(await customer(shop), request['outputs'] as { script: string; amount: number }[])
    const payment = { merchantData: request['merchantData'], transaction: tx.toHex() }
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': BIP270_PAYMENT, accept: 'application/bitcoinsv-paymentack' },
      body: JSON.stringify(payment),
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ payment, memo: '', error: 0 })
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid', payment: { txid: tx.id('hex') } })
  })

  it('may send BEEF as its transaction', async () => {
    const { id, url } = await newInvoice(shop)
    const request = JSON.parse((await get(url, BIP270_REQUEST)).text) as Json
    const tx = await buildTx(await customer(shop), request['outputs'] as { script: string; amount: number }[])
    const answer = await post(url, { transaction: tx.toHexBEEF() }, BIP270_PAYMENT)
    expect(answer.status).toBe(201)
    expect(answer.json).toMatchObject({ memo: '', error: 0 })
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid', payment: { txid: tx.id('hex') } })
  })

  it('is refused 400 PL2012 when its merchantData differs from the string served', async () => {
    const { id, url } = await newInvoice(shop)
    const request = JSON.parse((await get(url, BIP270_REQUEST)).text) as Json
    const tx = await buildTx(await customer(shop), request['outputs'] as { script: string; amount: number }[])
    const answer = await post(
      url,
      { merchantData: '{"paymentReference":"x"}', transaction: tx.toHex() },
      BIP270_PAYMENT,
    )
    expect(answer.status).toBe(400)
    expect(answer.json).toEqual({ errors: { merchantData: [expect.any(String)] }, reason: 'PL2012' })
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'pending', payment: null })
  })
})

describe('the strict BIP270 fee rule (§8)', () => {
  it('holds a BIP270 Payment to ⌊size × larger rate⌋ where the P4 per-part rule owes less', async () => {
    // 1 sat / 1000 bytes for both parts: 800 data bytes and ~300 standard bytes owe 0 + 0 by the P4
    // rule, but their sum is over 1000 bytes, so the strict BIP270 rule owes 1 satoshi.
    const bip270 = await newInvoice(shop)
    const request = JSON.parse((await get(bip270.url, BIP270_REQUEST)).text) as Json
    const outputs = request['outputs'] as { script: string; amount: number }[]
    const tx = await buildTx(await customer(shop), outputs, { fee: 0, dataBytes: 800 })
    const size = tx.toBinary().length
    expect(size).toBeGreaterThan(1000)
    expect(size - 804).toBeLessThan(1000)
    const refused = await post(bip270.url, { transaction: tx.toHexBEEF() }, BIP270_PAYMENT)
    expect(refused.status).toBe(400)
    expect(refused.json).toEqual({ errors: { fees: [expect.any(String)] }, reason: 'PL2003' })
    expect(await invoiceOf(shop, bip270.id)).toMatchObject({ state: 'pending', payment: null })

    const p4 = await newInvoice(shop)
    const terms = await fetchTerms(p4.url)
    const same = await buildTx(await customer(shop), terms.outputs, { fee: 0, dataBytes: 800 })
    expect((await post(p4.url, p4Payment(terms, same))).status).toBe(201)
  })

  it('takes a BIP270 Payment that pays ⌊size × larger rate⌋', async () => {
    const { id, url } = await newInvoice(shop)
    const request = JSON.parse((await get(url, BIP270_REQUEST)).text) as Json
    const outputs = request['outputs'] as { script: string; amount: number }[]
    const tx = await buildTx(await customer(shop), outputs, { fee: 1, dataBytes: 800 })
    expect(tx.toBinary().length).toBeLessThan(2000)
    const answer = await post(url, { transaction: tx.toHexBEEF() }, BIP270_PAYMENT)
    expect(answer.status).toBe(201)
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid' })
  })
})

describe('other clients', () => {
  it('a BIP271 client posting BIP270 JSON as application/json gets the BIP270 ACK', async () => {
    const { id, url } = await newInvoice(shop)
    const request = JSON.parse((await get(url, BIP270_REQUEST)).text) as Json
    const tx = await buildTx(await customer(shop), request['outputs'] as { script: string; amount: number }[])
    const payment = { merchantData: request['merchantData'], transaction: tx.toHex() }
    const answer = await post(url, payment)
    expect(answer.status).toBe(201)
    expect(answer.json).toEqual({ payment, memo: '', error: 0 })
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid' })
  })

  it('Accept: text/uri-list gets the bitcoin URI and CRLF', async () => {
    const invoice = await newInvoice(shop)
    const res = await get(invoice.url, 'text/uri-list')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/uri-list/)
    expect(res.text).toBe(`${invoice.body['bitcoinUri'] as string}\r\n`)
    expect(res.text).toBe(`bitcoin:?sv&r=${invoice.url}\r\n`)
  })

  it('no Accept, */* and application/json all get the P4 PaymentRequest', async () => {
    const { id, url } = await newInvoice(shop)
    const bodies = await Promise.all([undefined, '*/*', 'application/json'].map((a) => get(url, a)))
    for (const res of bodies) {
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(JSON.parse(res.text)).toMatchObject({
        destinations: { outputs: [{ amount: 5000 }] },
        merchantData: { extendedData: { paymentReference: id } },
        paymentUrl: url,
      })
      expect(res.text).toBe(bodies[0]!.text)
    }
  })
})

describe('headers and paths', () => {
  it('every GET answer carries Cache-Control no-store, X-Request-Id and open CORS', async () => {
    const { url } = await newInvoice(shop)
    for (const accept of [undefined, BIP270_REQUEST, 'text/uri-list']) {
      const res = await get(url, accept)
      expect(res.headers.get('cache-control'), accept).toBe('no-store')
      expect(res.headers.get('x-request-id'), accept).toMatch(/.+/)
      expect(res.headers.get('access-control-allow-origin'), accept).toBe('*')
    }
    const unknown = await get(`${shop.base}/api/v1/payment/NoSuchInvoice0000000000`)
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('cache-control')).toBe('no-store')
  })

  it('answers a CORS preflight 204 allowing Content-Type and Accept', async () => {
    const { url } = await newInvoice(shop)
    const res = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://wallet.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-methods')).toContain('POST')
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type')
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('accept')
  })

  it('answers payd’s plural /api/v1/payments/{id} like the singular path', async () => {
    const { id, url } = await newInvoice(shop)
    const plural = `${shop.base}/api/v1/payments/${id}`
    expect((await get(plural)).text).toBe((await get(url)).text)
    const terms = await fetchTerms(plural)
    const tx = await buildTx(await customer(shop), terms.outputs)
    const answer = await post(plural, p4Payment(terms, tx))
    expect(answer.status).toBe(201)
    expect(answer.json).toMatchObject({ id, tx_id: tx.id('hex'), error: 0 })
    expect(answer.headers.get('cache-control')).toBe('no-store')
  })
})

describe('the served request', () => {
  it('a paid invoice still serves its request, unchanged', async () => {
    const { url } = await newInvoice(shop)
    const before = await get(url)
    const terms = await fetchTerms(url)
    expect(
      (await post(url, p4Payment(terms, await buildTx(await customer(shop), terms.outputs)))).status,
    ).toBe(201)
    const after = await get(url)
    expect(after.status).toBe(200)
    expect(after.text).toBe(before.text)
  })

  it('every GET returns the same body while the quote is valid; the next one re-quotes and restamps', async () => {
    const { url } = await newInvoice(shop)
    const first = await get(url)
    clock.advance(5_000)
    expect((await get(url)).text).toBe(first.text)
    clock.advance(600_000)
    const renewed = JSON.parse((await get(url)).text) as Json
    const original = JSON.parse(first.text) as Json
    expect(renewed['creationTimestamp']).not.toBe(original['creationTimestamp'])
    expect(Date.parse(renewed['creationTimestamp'] as string)).toBe(Math.floor(clock.now() / 1000) * 1000)
    // The devnet still asks 1 sat / 1000 bytes, so the new quote has the same rates.
    for (const key of ['destinations', 'paymentUrl', 'merchantData', 'expirationTimestamp', 'fees']) {
      expect(renewed[key], key).toEqual(original[key])
    }
  })
})
