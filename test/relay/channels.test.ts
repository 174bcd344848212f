import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChannel, MERCHANT_KEY, type RunningRelay, startRelay } from './relay-support.ts'

describe('relay channel API (§14.1)', () => {
  let r: RunningRelay
  beforeAll(async () => {
    r = await startRelay()
  })
  afterAll(() => r.close())

  it('refuses a missing or wrong merchant key with 401 PL1007', async () => {
    for (const authorization of [undefined, 'Bearer nope']) {
      const res = await fetch(`${r.base}/api/v1/channels`, {
        method: 'POST',
        headers: authorization === undefined ? {} : { authorization },
      })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { reason: string }).reason).toBe('PL1007')
    }
  })

  it('creates a channel with tokens and relay URLs', async () => {
    const c = await createChannel(r.base, { ttlSeconds: 120, reference: 'order-1' })
    expect(c.channelId).toMatch(/^[A-Za-z0-9]{22}$/)
    for (const t of [c.merchantToken, c.customerToken, c.proofToken]) expect(t).toHaveLength(43)
    expect(c.paymentUrl).toBe(`${r.base}/api/v1/payment/${c.channelId}`)
    expect(c.wsUrl).toBe(`ws://127.0.0.1:${r.port}/ws/${c.channelId}`)
    expect(c.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('refuses a ttl out of range with 400 and an errors map', async () => {
    const res = await fetch(`${r.base}/api/v1/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 5 }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ reason: 'PL1004', errors: { ttlSeconds: expect.any(Array) } })
  })

  it('gets and deletes a channel; an unknown one is 404 N00001', async () => {
    const c = await createChannel(r.base)
    const auth = { authorization: `Bearer ${MERCHANT_KEY}` }
    const got = await fetch(`${r.base}/api/v1/channels/${c.channelId}`, { headers: auth })
    expect(got.status).toBe(200)
    expect(await got.json()).toEqual({
      channelId: c.channelId,
      state: 'open',
      expiresAt: c.expiresAt,
      merchantConnected: false,
      customerCount: 0,
    })
    const del = await fetch(`${r.base}/api/v1/channels/${c.channelId}`, { method: 'DELETE', headers: auth })
    expect(del.status).toBe(204)
    const after = await fetch(`${r.base}/api/v1/channels/${c.channelId}`, { headers: auth })
    expect(((await after.json()) as { state: string }).state).toBe('closing')
    const unknown = await fetch(`${r.base}/api/v1/channels/Unknown0000000000000`, { headers: auth })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ code: 'N00001', reason: 'PL5001' })
  })
})
