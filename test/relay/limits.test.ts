import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import {
  Client,
  createChannel,
  customerUrl,
  MERCHANT_KEY,
  merchantUrl,
  type RunningRelay,
  refusal,
  startRelay,
} from './relay-support.ts'

const auth = { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' }
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function queued(r: RunningRelay, role: 'merchant' | 'customer'): Promise<number> {
  const rows = await r.store.db.selectFrom('relay_queue').select('id').where('role', '=', role).execute()
  return rows.length
}

let running: RunningRelay | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

describe('relay limits (§14.2, §14.5, §14.7)', () => {
  it('refuses a join past the per-IP socket cap with 429 PL1006 and Retry-After, before the upgrade', async () => {
    const r = await startRelay({ ipCaps: { sockets: 1 } })
    running = r
    const a = await createChannel(r.base)
    const b = await createChannel(r.base)
    const first = await Client.connect(merchantUrl(a))
    await first.nth(1)
    const res = await refusal(merchantUrl(b))
    expect(res.status).toBe(429)
    expect(res.body).toMatchObject({ reason: 'PL1006' })
    expect(res.headers['retry-after']).toBe('60')
    first.close()
  })

  it('terminates a peer that does not answer pings', async () => {
    const r = await startRelay({ pingMs: 100 })
    running = r
    const c = await createChannel(r.base)
    const silent = new WebSocket(merchantUrl(c), { autoPong: false })
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)))
    expect(await closed).toBe(1006)
    const live = await Client.connect(merchantUrl(c))
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(live.closed).toBeUndefined()
    live.close()
  })

  it('answers a CORS preflight on the P4 payment path', async () => {
    const r = await startRelay()
    running = r
    const c = await createChannel(r.base)
    const res = await fetch(c.paymentUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://wallet.example', 'access-control-request-method': 'POST' },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-headers')).toContain('Content-Type')
  })

  it('answers the REST request past the per-IP cap with 429 PL1006 and Retry-After; proofs, health and joins are not counted', async () => {
    const r = await startRelay({ ipCaps: { restPerMinute: 3 }, bridgeTimeoutMs: 100 })
    running = r
    const c = await createChannel(r.base)
    const channel = `${r.base}/api/v1/channels/${c.channelId}`
    expect((await fetch(channel, { headers: auth })).status).toBe(200)
    const proof = () =>
      fetch(`${r.base}/api/v1/proofs/${'ab'.repeat(32)}?i=${c.channelId}`, { method: 'POST' })
    for (let i = 0; i < 5; i++) expect((await proof()).status).toBe(401)
    expect((await fetch(`${r.base}/api/v1/health`)).status).toBe(200)
    const merchant = await Client.connect(merchantUrl(c))
    await merchant.nth(1)
    expect((await fetch(c.paymentUrl)).status).toBe(504)
    const over = await fetch(channel, { headers: auth })
    expect(over.status).toBe(429)
    expect(await over.json()).toMatchObject({ reason: 'PL1006' })
    expect(over.headers.get('retry-after')).toBe('60')
    expect((await fetch(c.paymentUrl, { method: 'POST', headers: auth, body: '{}' })).status).toBe(429)
    const customer = await Client.connect(customerUrl(c))
    expect(await customer.nth(1)).toMatchObject({ type: 'join.success' })
    merchant.close()
    customer.close()
  })

  it('refuses a channel past the open-channel cap of a key with 429 PL1006; a closed one frees a place', async () => {
    const r = await startRelay({ maxOpenChannels: 2 })
    running = r
    const first = await createChannel(r.base)
    await createChannel(r.base)
    const third = await fetch(`${r.base}/api/v1/channels`, { method: 'POST', headers: auth, body: '{}' })
    expect(third.status).toBe(429)
    expect(await third.json()).toMatchObject({ reason: 'PL1006' })
    const url = `${r.base}/api/v1/channels/${first.channelId}`
    expect(
      (await fetch(url, { method: 'DELETE', headers: { authorization: auth.authorization } })).status,
    ).toBe(204)
    expect((await createChannel(r.base)).channelId).toBeTypeOf('string')
  })

  it('closes a customer that does not read with 1013 past the buffer limit; what it missed stays queued', async () => {
    const r = await startRelay({ maxBuffered: 64 * 1024 })
    running = r
    const c = await createChannel(r.base)
    const merchant = await Client.connect(merchantUrl(c))
    await merchant.nth(1)
    const customer = await Client.connect(customerUrl(c))
    await customer.nth(1)
    customer.socket.pause()
    const pad = 'x'.repeat(32 * 1024)
    let sent = 0
    let extra = -1
    while (extra !== 0 && sent < 1000) {
      merchant.send({ type: 'paymentrequest.response', correlationId: `m${sent++}`, body: { pad } })
      if (extra > 0) extra--
      else if (sent % 4 === 0) {
        await pause(10)
        if ((await queued(r, 'customer')) > 0) extra = 3
      }
    }
    await pause(100)
    expect(await queued(r, 'customer')).toBeGreaterThan(0)
    customer.socket.resume()
    await customer.until(() => customer.closed !== undefined)
    expect(customer.closed?.code).toBe(1013)
    const back = await Client.connect(customerUrl(c))
    const last = `m${sent - 1}`
    await back.until(() => back.messages.some((m) => m['correlationId'] === last))
    expect(await queued(r, 'customer')).toBe(0)
    const ids = new Set<unknown>()
    const received = [...customer.messages.slice(1), ...back.messages.slice(1)].filter((m) => {
      const fresh = !ids.has(m['messageId'])
      ids.add(m['messageId'])
      return fresh
    })
    expect(received.map((m) => m['correlationId'])).toEqual(Array.from({ length: sent }, (_, i) => `m${i}`))
    merchant.close()
    back.close()
  })
})
