import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import {
  Client,
  createChannel,
  merchantUrl,
  type RunningRelay,
  refusal,
  startRelay,
} from './relay-support.ts'

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
})
