/**
 * The merchant admin API (PROTOCOLS.md P4 §3): API-key authentication, invoice creation rules,
 * listing with paging and a state filter, get, cancel, QR codes and per-invoice destinations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock, rfc3339 } from '../../src/core/clock.ts'
import { destinationScript, loadMasterKey } from '../../src/merchant/merchant-keys.ts'
import { type RunningDevnet, startDevnet } from '../support/devnet.ts'
import { admin, customer, type RunningShop, startShop } from '../support/merchant.ts'
import { buildTx, fetchTerms, type Json, newInvoice, p4Payment, post } from '../support/p4-payments.ts'

const DAY = 24 * 60 * 60 * 1000

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

async function create(body: Json) {
  return admin(shop, 'POST', '/api/v1/invoices', body)
}

describe('authentication', () => {
  it('a missing, wrong or non-Bearer key is refused 401 PL1007 with WWW-Authenticate: Bearer', async () => {
    const { id } = await newInvoice(shop)
    const routes: [string, string][] = [
      ['POST', '/api/v1/invoices'],
      ['GET', '/api/v1/invoices'],
      ['GET', `/api/v1/invoices/${id}`],
      ['DELETE', `/api/v1/invoices/${id}`],
    ]
    const credentials = [undefined, 'Bearer wrong-key', `Basic ${shop.apiKey}`, 'Bearer ']
    for (const [method, path] of routes) {
      for (const authorization of credentials) {
        const res = await fetch(`${shop.base}${path}`, {
          method,
          headers: {
            'content-type': 'application/json',
            ...(authorization === undefined ? {} : { authorization }),
          },
          ...(method === 'POST' ? { body: JSON.stringify({ satoshis: 1, description: 'x' }) } : {}),
        })
        const label = `${method} ${path} ${authorization ?? '(none)'}`
        expect(res.status, label).toBe(401)
        expect(res.headers.get('www-authenticate'), label).toBe('Bearer')
        expect(await res.json(), label).toMatchObject({ code: 'PL1007', reason: 'PL1007' })
      }
    }
    expect((await admin(shop, 'GET', `/api/v1/invoices/${id}`)).body).toMatchObject({ state: 'pending' })
  })
})

describe('creating invoices', () => {
  it('answers 201 with the invoice, its URIs, a default 24 h expiry and no payment', async () => {
    const res = await create({ satoshis: 1234, description: 'tea', reference: 'order-7' })
    expect(res.status).toBe(201)
    const id = res.body['id'] as string
    expect(id).toMatch(/^[A-Za-z0-9]{22}$/)
    expect(res.body).toMatchObject({
      state: 'pending',
      satoshis: 1234,
      description: 'tea',
      reference: 'order-7',
      spvRequired: false,
      model: 'rest',
      createdAt: rfc3339(clock.now()),
      expiresAt: rfc3339(clock.now() + DAY),
      paymentUrl: `${shop.base}/api/v1/payment/${id}`,
      bitcoinUri: `bitcoin:?sv&r=${shop.base}/api/v1/payment/${id}`,
      payUri: `pay:?r=${shop.base}/api/v1/payment/${id}`,
      payment: null,
    })
  })

  it('takes the bounds themselves: 1 satoshi, 1024 characters, expiry 61 s and 30 days ahead', async () => {
    const description = 'd'.repeat(1024)
    for (const body of [
      { satoshis: 1, description: 'x' },
      { satoshis: 2_100_000_000_000_000, description },
      { satoshis: 1, description: 'x', expiresAt: new Date(clock.now() + 61_000).toISOString() },
      { satoshis: 1, description: 'x', expiresAt: new Date(clock.now() + 30 * DAY).toISOString() },
    ]) {
      expect((await create(body)).status, JSON.stringify(body).slice(0, 80)).toBe(201)
    }
    const long = await create({ satoshis: 1, description })
    const terms = await fetchTerms(long.body['paymentUrl'] as string)
    expect(terms.body['memo']).toBe('d'.repeat(50))
  })

  it.each([
    ['satoshis 0', { satoshis: 0, description: 'x' }, 'satoshis'],
    ['satoshis beyond 21 million BSV', { satoshis: 2_100_000_000_000_001, description: 'x' }, 'satoshis'],
    ['fractional satoshis', { satoshis: 1.5, description: 'x' }, 'satoshis'],
    ['no description', { satoshis: 1 }, 'description'],
    ['an empty description', { satoshis: 1, description: '' }, 'description'],
    ['a description of 1025 characters', { satoshis: 1, description: 'd'.repeat(1025) }, 'description'],
    [
      'a reference of 33 characters',
      { satoshis: 1, description: 'x', reference: 'r'.repeat(33) },
      'reference',
    ],
    ['expiresAt not a time', { satoshis: 1, description: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
  ])('refuses %s with 400 PL1004 naming the field', async (_, body, field) => {
    const res = await create(body)
    expect(res.status).toBe(400)
    expect(res.body['reason']).toBe('PL1004')
    expect(Object.keys(res.body['errors'] as Json)).toContain(field)
  })

  it('refuses an expiresAt 60 s ahead or less, in the past, or beyond 30 days: 400 PL1004 on expiresAt', async () => {
    for (const ahead of [60_000, 30_000, -1000, 30 * DAY + 1000]) {
      const res = await create({
        satoshis: 1,
        description: 'x',
        expiresAt: new Date(clock.now() + ahead).toISOString(),
      })
      expect(res.status, String(ahead)).toBe(400)
      expect(res.body, String(ahead)).toMatchObject({
        reason: 'PL1004',
        errors: { expiresAt: [expect.any(String)] },
      })
    }
  })

  it('refuses a body that is not JSON (400 PL1001) or over 16 KiB (413 PL1003)', async () => {
    const send = (body: string) =>
      fetch(`${shop.base}/api/v1/invoices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${shop.apiKey}`, 'content-type': 'application/json' },
        body,
      })
    const broken = await send('{"satoshis": ')
    expect(broken.status).toBe(400)
    expect(await broken.json()).toMatchObject({ reason: 'PL1001' })
    const huge = await send(JSON.stringify({ satoshis: 1, description: 'x', padding: 'p'.repeat(17 * 1024) }))
    expect(huge.status).toBe(413)
    expect(await huge.json()).toMatchObject({ reason: 'PL1003' })
  })

  it('refuses the hybrid and websocket models without a relay: 422 PL1009', async () => {
    for (const model of ['hybrid', 'websocket']) {
      const res = await create({ satoshis: 1, description: 'x', model })
      expect(res.status, model).toBe(422)
      expect(res.body, model).toMatchObject({ code: 'PL1009', reason: 'PL1009' })
    }
  })

  it('gives each invoice its own destination, derived from the master key and the invoice id', async () => {
    const master = await loadMasterKey(shop.store)
    const scripts = new Set<string>()
    for (let i = 0; i < 3; i++) {
      const { id, url } = await newInvoice(shop)
      const script = (await fetchTerms(url)).outputs[0]!.script
      expect(script).toBe(destinationScript(master, id))
      scripts.add(script)
    }
    expect(scripts.size).toBe(3)
  })

  it('carries its bitcoin URI as an SVG data URL (qr) and a PNG data URL (qrPng)', async () => {
    const { body } = await newInvoice(shop)
    const svg = /^data:image\/svg\+xml;base64,(.+)$/.exec(body['qr'] as string)?.[1]
    expect(svg).toBeDefined()
    expect(Buffer.from(svg!, 'base64').toString('utf8')).toMatch(
      /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    )
    const png = /^data:image\/png;base64,(.+)$/.exec(body['qrPng'] as string)?.[1]
    expect(png).toBeDefined()
    expect([...Buffer.from(png!, 'base64').subarray(0, 8)]).toEqual([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ])
  })
})

describe('reading invoices', () => {
  it('get of an unknown id is 404 N00001', async () => {
    const res = await admin(shop, 'GET', '/api/v1/invoices/NoSuchInvoice0000000000')
    expect(res.status).toBe(404)
    expect(res.body).toMatchObject({ code: 'N00001', reason: 'PL1010' })
  })

  it('lists newest first, a page at a time, and filters by state', async () => {
    // A merchant of its own, so that only these invoices are listed.
    const own = await startShop({ net, clock })
    try {
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        ids.push((await newInvoice(own)).id)
        clock.advance(1000)
      }
      const newestFirst = [...ids].reverse()
      const first = await admin(own, 'GET', '/api/v1/invoices?limit=2')
      expect(first.status).toBe(200)
      const idsOf = (page: Json) => (page['invoices'] as Json[]).map((i) => i['id'])
      expect(idsOf(first.body)).toEqual(newestFirst.slice(0, 2))
      const second = await admin(
        own,
        'GET',
        `/api/v1/invoices?limit=2&cursor=${first.body['nextCursor'] as string}`,
      )
      expect(idsOf(second.body)).toEqual(newestFirst.slice(2, 4))
      const third = await admin(
        own,
        'GET',
        `/api/v1/invoices?limit=2&cursor=${second.body['nextCursor'] as string}`,
      )
      expect(idsOf(third.body)).toEqual(newestFirst.slice(4))
      expect(third.body['nextCursor']).toBeNull()
      expect(idsOf((await admin(own, 'GET', '/api/v1/invoices')).body)).toEqual(newestFirst)

      await admin(own, 'DELETE', `/api/v1/invoices/${ids[1]!}`)
      expect(idsOf((await admin(own, 'GET', '/api/v1/invoices?state=cancelled')).body)).toEqual([ids[1]])
      const pending = idsOf((await admin(own, 'GET', '/api/v1/invoices?state=pending')).body)
      expect(pending).toEqual(newestFirst.filter((id) => id !== ids[1]))
    } finally {
      await own.close()
    }
  })

  it('refuses a bad limit, state or cursor with 400 PL1004', async () => {
    for (const query of ['limit=0', 'limit=101', 'state=lost', 'cursor=not-a-cursor']) {
      const res = await admin(shop, 'GET', `/api/v1/invoices?${query}`)
      expect(res.status, query).toBe(400)
      expect(res.body, query).toMatchObject({ reason: 'PL1004' })
    }
  })
})

describe('cancelling invoices', () => {
  it('cancels a pending invoice; cancelling it again answers the same', async () => {
    const { id } = await newInvoice(shop)
    const first = await admin(shop, 'DELETE', `/api/v1/invoices/${id}`)
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ id, state: 'cancelled', payment: null })
    const again = await admin(shop, 'DELETE', `/api/v1/invoices/${id}`)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    expect((await admin(shop, 'GET', `/api/v1/invoices/${id}`)).body).toEqual(first.body)
  })

  it('refuses to cancel a paid invoice: 409 D001 PL1012, and it stays paid', async () => {
    const { id, url } = await newInvoice(shop)
    const terms = await fetchTerms(url)
    expect(
      (await post(url, p4Payment(terms, await buildTx(await customer(shop), terms.outputs)))).status,
    ).toBe(201)
    const res = await admin(shop, 'DELETE', `/api/v1/invoices/${id}`)
    expect(res.status).toBe(409)
    expect(res.body).toMatchObject({ code: 'D001', reason: 'PL1012' })
    expect((await admin(shop, 'GET', `/api/v1/invoices/${id}`)).body).toMatchObject({ state: 'paid' })
  })

  it('refuses to cancel an expired invoice: 409 D001 PL1012', async () => {
    const { id } = await newInvoice(shop, { expiresAt: new Date(clock.now() + 61_000).toISOString() })
    clock.advance(62_000)
    const res = await admin(shop, 'DELETE', `/api/v1/invoices/${id}`)
    expect(res.status).toBe(409)
    expect(res.body).toMatchObject({ code: 'D001', reason: 'PL1012' })
    expect((await admin(shop, 'GET', `/api/v1/invoices/${id}`)).body).toMatchObject({ state: 'expired' })
  })

  it('refuses to cancel an invoice whose payment is still being decided: 409 PL1012', async () => {
    const { id } = await newInvoice(shop)
    // A payment stored as `accepted` (its broadcast undecided), as a merchant would leave it.
    await shop.store.db
      .insertInto('merchant_payments')
      .values({
        id: `undecided-${id}`,
        invoice_id: id,
        txid: 'ab'.repeat(32),
        state: 'accepted',
        dialect: 'p4',
        raw_tx: '00',
        broadcast_body: '00',
        refund_to: null,
        memo: null,
        proof_callbacks: null,
        callback_token: 't',
        satoshis_paid: 1,
        overpaid: 0,
        ack: null,
        ack_status: null,
        received_at: clock.now(),
        block_hash: null,
        block_height: null,
        merkle_path: null,
        updated_at: clock.now(),
      })
      .execute()
    const res = await admin(shop, 'DELETE', `/api/v1/invoices/${id}`)
    expect(res.status).toBe(409)
    expect(res.body).toMatchObject({ code: 'D001', reason: 'PL1012' })
    expect((await admin(shop, 'GET', `/api/v1/invoices/${id}`)).body).toMatchObject({ state: 'pending' })
  })

  it('cancelling an unknown invoice is 404 N00001', async () => {
    const res = await admin(shop, 'DELETE', '/api/v1/invoices/NoSuchInvoice0000000000')
    expect(res.status).toBe(404)
    expect(res.body).toMatchObject({ code: 'N00001' })
  })
})
