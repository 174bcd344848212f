/** The relay on PostgreSQL (PROTOCOLS.md P4 §14): the core flows on a fresh schema, and a restart on it. */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.ts'
import { Relay, type RelayOptions } from '../../src/relay/relay.ts'
import type { Store } from '../../src/store/index.ts'
import {
  Client,
  createChannel,
  customerUrl,
  MERCHANT_KEY,
  merchantUrl,
  refusal,
} from '../relay/relay-support.ts'
import { freePort } from '../support/ports.ts'
import { dropPgTestSchemas, openPgTestStore, pgTestSchema, pgUrl } from '../support/services.ts'

const url = pgUrl()

interface PgRelay {
  relay: Relay
  store: Store
  base: string
  port: number
  close(): Promise<void>
}

const open: PgRelay[] = []

/** A relay on loopback over the PostgreSQL schema `schema` (fresh by default). */
async function startPgRelay(
  opts: Partial<RelayOptions> & { schema?: string; port?: number } = {},
): Promise<PgRelay> {
  const store = await openPgTestStore(url as string, opts.schema ?? pgTestSchema())
  const port = opts.port ?? (await freePort())
  const base = `http://127.0.0.1:${port}`
  const relay = await Relay.open({ publicUrl: base, merchantKeys: [MERCHANT_KEY], ...opts, store })
  await relay.listen(port)
  const running: PgRelay = {
    relay,
    store,
    base,
    port,
    close: async () => {
      open.splice(open.indexOf(running), 1)
      await relay.close()
      await store.close()
    },
  }
  open.push(running)
  return running
}

async function joined(wsUrl: string): Promise<Client> {
  const client = await Client.connect(wsUrl)
  await client.nth(1)
  return client
}

describe.skipIf(url === undefined)('relay on PostgreSQL (§14)', () => {
  afterEach(async () => {
    for (const r of [...open]) await r.close()
  })
  afterAll(() => dropPgTestSchemas(url as string))

  it('creates a channel, joins both roles and forwards model 3 messages', async () => {
    const r = await startPgRelay()
    const c = await createChannel(r.base, { reference: 'inv-1' })
    const merchant = await joined(merchantUrl(c))
    const customer = await joined(customerUrl(c))
    customer.send({ type: 'payment', correlationId: 'p1', body: { rawTx: '00' } })
    expect(await merchant.nth(2)).toMatchObject({
      type: 'payment',
      correlationId: 'p1',
      body: { rawTx: '00' },
    })
    merchant.send({ type: 'payment.ack', correlationId: 'p1', body: { tx_id: 'ab'.repeat(32), error: 1 } })
    expect(await customer.nth(2)).toMatchObject({ type: 'payment.ack', correlationId: 'p1' })
    const got = await fetch(`${r.base}/api/v1/channels/${c.channelId}`, {
      headers: { authorization: `Bearer ${MERCHANT_KEY}` },
    })
    expect(await got.json()).toMatchObject({ state: 'open', merchantConnected: true, customerCount: 1 })
    merchant.close()
    customer.close()
  })

  it('queues messages for an absent merchant and delivers them in order on rejoin', async () => {
    const r = await startPgRelay()
    const c = await createChannel(r.base)
    const merchant = await joined(merchantUrl(c))
    const customer = await joined(customerUrl(c))
    merchant.close()
    await merchant.until(() => merchant.closed !== undefined)
    for (const id of ['one', 'two', 'three'])
      customer.send({ type: 'paymentrequest.create', correlationId: id })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const back = await joined(merchantUrl(c))
    await back.nth(4)
    expect(back.messages.slice(1).map((m) => m['correlationId'])).toEqual(['one', 'two', 'three'])
    back.close()
    customer.close()
  })

  it('answers a hybrid GET with the merchant reply', async () => {
    const r = await startPgRelay()
    const c = await createChannel(r.base)
    const merchant = await joined(merchantUrl(c))
    merchant.socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>
      if (m['type'] !== 'paymentrequest.create') return
      merchant.send({
        type: 'paymentrequest.response',
        correlationId: m['correlationId'],
        body: { memo: 'pg' },
      })
    })
    const res = await fetch(c.paymentUrl, { headers: { accept: 'application/json' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ memo: 'pg', paymentUrl: c.paymentUrl })
    merchant.close()
  })

  it('expires a channel: channel.expired, close 1000, then 410', async () => {
    const clock = new ManualClock(Date.now())
    const r = await startPgRelay({ clock })
    const c = await createChannel(r.base, { ttlSeconds: 60 })
    const merchant = await joined(merchantUrl(c))
    clock.advance(60_000)
    await merchant.until(() => merchant.closed !== undefined)
    expect(merchant.messages.at(-1)).toMatchObject({ type: 'channel.expired' })
    expect(merchant.closed?.code).toBe(1000)
    expect((await refusal(merchantUrl(c))).status).toBe(410)
  })

  it('keeps channels, undelivered messages and the merchant sighting across a restart', async () => {
    const schema = pgTestSchema()
    const first = await startPgRelay({ schema })
    const c = await createChannel(first.base)
    const merchant = await joined(merchantUrl(c))
    const customer = await joined(customerUrl(c))
    merchant.close()
    await merchant.until(() => merchant.closed !== undefined)
    customer.send({ type: 'payment', correlationId: 'kept', body: { rawTx: '00' } })
    await new Promise((resolve) => setTimeout(resolve, 300))
    customer.close()
    await first.close()
    const r = await startPgRelay({ schema, port: first.port })
    const again = await joined(customerUrl(c))
    expect(again.messages[0]).toMatchObject({ type: 'join.success' })
    const back = await joined(merchantUrl(c))
    expect(await back.nth(2)).toMatchObject({ type: 'payment', correlationId: 'kept', body: { rawTx: '00' } })
    expect(
      (
        await fetch(`${r.base}/api/v1/channels/${c.channelId}`, {
          headers: { authorization: `Bearer ${MERCHANT_KEY}` },
        })
      ).status,
    ).toBe(200)
    back.close()
    again.close()
  })
})
