/**
 * The point-of-sale routes (issue 8) without a browser: the pages and their scripts, the public
 * config, the admin key on Amiko requests and on the live websocket, the live activity, and the
 * devnet faucet's CORS answers the wallet page relies on. The browser suite drives the pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type RunningDevnet, startDevnet } from '../../test/support/devnet.ts'
import { API_KEY, admin, type RunningShop, startShop } from '../../test/support/merchant.ts'
import type { PosActivity } from './pos-feed.ts'

let net: RunningDevnet
let shop: RunningShop

beforeAll(async () => {
  net = await startDevnet()
  shop = await startShop({ net, devnetUrl: net.urls.base })
})
afterAll(async () => {
  await shop.close()
  await net.close()
})

/** Opens `/pos/live`, sends `auth` with `key`, and resolves with the first frame or the close code. */
function live(key: string): Promise<{ frame?: PosActivity; code?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${shop.base.replace('http', 'ws')}/pos/live`)
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', key })))
    socket.on('message', (data) => {
      resolve({ frame: JSON.parse(data.toString()) as PosActivity })
      socket.close()
    })
    socket.on('close', (code) => resolve({ code }))
  })
}

describe('point-of-sale routes', () => {
  it('serves both pages under a content security policy, and their bundled scripts', async () => {
    for (const path of ['/pos', '/wallet']) {
      const page = await shop.merchant.app.inject({ method: 'GET', url: path })
      expect(page.statusCode).toBe(200)
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(page.headers['content-security-policy']).toContain("default-src 'self'")
    }
    const script = await shop.merchant.app.inject({ method: 'GET', url: '/web/pos.js' })
    expect(script.statusCode).toBe(200)
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(script.body).toContain('/pos/live')
  })

  it('offers the demo wallet only on a merchant that names a devnet', async () => {
    const production = await startShop({ net })
    try {
      for (const url of ['/wallet', '/web/wallet.js']) {
        expect((await production.merchant.app.inject({ method: 'GET', url })).statusCode).toBe(404)
      }
      expect((await production.merchant.app.inject({ method: 'GET', url: '/pos' })).statusCode).toBe(200)
    } finally {
      await production.close()
    }
  })

  it('tells the pages the network, the devnet and what this merchant offers', async () => {
    const config = await shop.merchant.app.inject({ method: 'GET', url: '/pos/config' })
    expect(config.json()).toEqual({
      network: 'regtest',
      devnetUrl: net.urls.base,
      relay: false,
      amiko: false,
    })
  })

  it('refuses an Amiko request without the admin key, and one on a merchant with no node', async () => {
    const body = { amount: 100, receipt: 'a cake' }
    const anonymous = await shop.merchant.app.inject({ method: 'POST', url: '/pos/amiko-requests', body })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json().reason).toBe('PL1007')
    const noNode = await shop.merchant.app.inject({
      method: 'POST',
      url: '/pos/amiko-requests',
      headers: { authorization: `Bearer ${API_KEY}` },
      body,
    })
    expect(noNode.statusCode).toBe(422)
    expect(noNode.json().reason).toBe('PL1009')
  })

  it('closes the live feed with 4401 for a wrong key', async () => {
    expect(await live('not-the-key')).toEqual({ code: 4401 })
  })

  it('sends a signed-in page the newest invoices with their status', async () => {
    const made = await admin(shop, 'POST', '/api/v1/invoices', { satoshis: 700, description: 'bread' })
    const { frame } = await live(API_KEY)
    expect(frame?.type).toBe('activity')
    expect(frame?.amiko).toBeNull()
    expect(frame?.invoices[0]).toMatchObject({
      id: made.body['id'],
      status: 'waiting',
      satoshis: 700,
      memo: 'bread',
      model: 'rest',
      txid: null,
      proof: null,
    })
  })

  it('shows a cancelled invoice as cancelled', async () => {
    const made = await admin(shop, 'POST', '/api/v1/invoices', { satoshis: 900, description: 'milk' })
    await admin(shop, 'DELETE', `/api/v1/invoices/${String(made.body['id'])}`)
    const { frame } = await live(API_KEY)
    expect(frame?.invoices.find((i) => i.id === made.body['id'])?.status).toBe('cancelled')
  })

  it('the devnet faucet answers the preflight and the POST of another origin', async () => {
    const preflight = await net.devnet.app.inject({
      method: 'OPTIONS',
      url: '/devnet/faucet',
      headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST' },
    })
    expect(preflight.statusCode).toBe(204)
    expect(preflight.headers['access-control-allow-origin']).toBe('*')
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type')
    const refused = await net.devnet.app.inject({ method: 'POST', url: '/devnet/faucet', body: {} })
    expect(refused.statusCode).toBe(400)
    expect(refused.headers['access-control-allow-origin']).toBe('*')
  })
})
