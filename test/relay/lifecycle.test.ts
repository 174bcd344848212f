import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.ts'
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

let running: RunningRelay | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

describe('queues, expiry and restart (§14.5)', () => {
  it('delivers what arrived for an absent merchant in order, once, after join.success', async () => {
    const r = await startRelay()
    running = r
    const c = await createChannel(r.base)
    const merchant = await Client.connect(merchantUrl(c))
    await merchant.nth(1)
    const customer = await Client.connect(customerUrl(c))
    await customer.nth(1)
    merchant.close()
    await merchant.until(() => merchant.closed !== undefined)
    customer.send({ type: 'paymentrequest.create', correlationId: 'one' })
    customer.send({ type: 'payment', correlationId: 'two', body: { rawTx: '00' } })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const back = await Client.connect(merchantUrl(c))
    await back.nth(3)
    expect(back.messages.map((m) => m['type'])).toEqual(['join.success', 'paymentrequest.create', 'payment'])
    expect(back.messages.slice(1).map((m) => m['correlationId'])).toEqual(['one', 'two'])
    back.close()
    await back.until(() => back.closed !== undefined)
    const again = await Client.connect(merchantUrl(c))
    await again.nth(1)
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(again.messages.map((m) => m['type'])).toEqual(['join.success'])
    again.close()
    customer.close()
  })

  it('keeps channels and queued messages across a relay restart', async () => {
    const first = await startRelay()
    const c = await createChannel(first.base)
    const merchant = await Client.connect(merchantUrl(c))
    await merchant.nth(1)
    const customer = await Client.connect(customerUrl(c))
    await customer.nth(1)
    merchant.close()
    await merchant.until(() => merchant.closed !== undefined)
    customer.send({ type: 'payment', correlationId: 'kept', body: { rawTx: '00' } })
    await new Promise((resolve) => setTimeout(resolve, 200))
    await first.close()
    const r = await startRelay({ db: first.db, port: first.port })
    running = r
    const back = await Client.connect(merchantUrl(c))
    expect(await back.nth(2)).toMatchObject({ type: 'payment', correlationId: 'kept', body: { rawTx: '00' } })
    back.close()
    expect(r.base).toBe(first.base)
  })

  it('at expiry sends channel.expired then closes 1000; later joins get 410', async () => {
    const clock = new ManualClock(Date.now())
    const r = await startRelay({ clock })
    running = r
    const c = await createChannel(r.base, { ttlSeconds: 60 })
    const merchant = await Client.connect(merchantUrl(c))
    await merchant.nth(1)
    const customer = await Client.connect(customerUrl(c))
    await customer.nth(1)
    clock.advance(60_000)
    for (const client of [merchant, customer]) {
      await client.until(() => client.closed !== undefined, 2000)
      expect(client.messages.at(-1)).toMatchObject({ type: 'channel.expired', body: null })
      expect(client.closed).toEqual({ code: 1000, reason: 'channel.expired' })
    }
    expect((await refusal(merchantUrl(c))).status).toBe(410)
  })

  it('a payment.ack with error 0 extends the channel to 24 h and DELETE ends the connections', async () => {
    const r = await startRelay()
    running = r
    const c = await createChannel(r.base, { ttlSeconds: 60 })
    const merchant = await Client.connect(merchantUrl(c))
    await merchant.nth(1)
    const customer = await Client.connect(customerUrl(c))
    await customer.nth(1)
    merchant.send({ type: 'payment.ack', correlationId: 'x', body: { tx_id: 'ab'.repeat(32), error: 0 } })
    await customer.nth(2)
    const auth = { authorization: `Bearer ${MERCHANT_KEY}` }
    const got = (await (
      await fetch(`${r.base}/api/v1/channels/${c.channelId}`, { headers: auth })
    ).json()) as {
      expiresAt: string
    }
    expect(Date.parse(got.expiresAt)).toBeGreaterThanOrEqual(Date.now() + 24 * 3600_000 - 5000)
    await fetch(`${r.base}/api/v1/channels/${c.channelId}`, { method: 'DELETE', headers: auth })
    for (const client of [merchant, customer]) {
      await client.until(() => client.closed !== undefined)
      expect(client.messages.at(-1)?.['type']).toBe('channel.expired')
    }
  })
})
