/**
 * The relay bus over NATS, instance by instance (issue 7): three relays in this process share one
 * PostgreSQL schema and one NATS subject prefix. Channel messages cross instances once, a
 * `messageId` re-sent through another instance is still a duplicate, hybrid calls are answered by
 * the merchant's instance (or 404 at once when none holds it), proofs posted anywhere reach both
 * roles, and a channel closed on one instance ends its legs on the others.
 */
import { MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomId } from '../../src/core/ids.ts'
import { NatsBus } from '../../src/relay/index.ts'
import { Relay } from '../../src/relay/relay.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import {
  type ChannelAnswer,
  Client,
  createChannel,
  customerUrl,
  MERCHANT_KEY,
  merchantUrl,
} from '../relay/relay-support.ts'
import { tempDb } from '../support/devnet.ts'
import { freePort } from '../support/ports.ts'
import { dropPgTestSchemas, openPgTestStore, pgTestSchema, pgUrl } from '../support/services.ts'
import { natsUrl } from './nats-url.ts'

const pg = pgUrl()
const nats = natsUrl()
const TXID = 'ab'.repeat(32)

interface Instance {
  base: string
  store: Store
  bus: NatsBus
  relay: Relay
}

const instances: Instance[] = []
let prefix: string
let schema: string

async function startInstance(schema: string, subjects = prefix): Promise<Instance> {
  const store = await openPgTestStore(pg as string, schema)
  const bus = await NatsBus.open({ url: nats as string, prefix: subjects })
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const relay = await Relay.open({
    store,
    bus,
    publicUrl: base,
    merchantKeys: [MERCHANT_KEY],
    bridgeTimeoutMs: 3000,
  })
  await relay.listen(port)
  return { base, store, bus, relay }
}

/** `url` (a channel's wsUrl-based URL on instance `from`) on instance `to`. */
const on = (to: Instance, url: string): string =>
  url.replace(/^ws:\/\/127\.0\.0\.1:\d+/, to.base.replace('http', 'ws'))

beforeAll(async () => {
  if (pg === undefined || nats === undefined) return
  prefix = `paylinktest.${randomId(12)}`
  schema = pgTestSchema()
  for (let i = 0; i < 3; i++) instances.push(await startInstance(schema))
})

afterAll(async () => {
  for (const i of instances) {
    await i.relay.close()
    await i.bus.close()
    await i.store.close()
  }
  if (pg !== undefined) await dropPgTestSchemas(pg)
})

const a = (): Instance => instances[0] as Instance
const b = (): Instance => instances[1] as Instance
const c = (): Instance => instances[2] as Instance

async function joined(url: string): Promise<Client> {
  const client = await Client.connect(url)
  await client.until(() => client.ofType('join.success').length === 1)
  return client
}

async function pair(ch: ChannelAnswer): Promise<{ merchant: Client; customer: Client }> {
  const merchant = await joined(on(a(), merchantUrl(ch)))
  const customer = await joined(on(b(), customerUrl(ch)))
  return { merchant, customer }
}

describe.skipIf(pg === undefined || nats === undefined)('relay bus over NATS: three instances', () => {
  it('a customer on B reaches the merchant on A and back; a messageId re-sent through C is dropped', async () => {
    const ch = await createChannel(a().base)
    const { merchant, customer } = await pair(ch)
    customer.send({ type: 'paymentrequest.create', messageId: 'm-1', correlationId: 'k1' })
    await merchant.until(() => merchant.ofType('paymentrequest.create').length === 1)
    merchant.send({ type: 'paymentrequest.response', correlationId: 'k1', body: { network: 'regtest' } })
    await customer.until(() => customer.ofType('paymentrequest.response').length === 1)

    const second = await joined(on(c(), customerUrl(ch)))
    second.send({ type: 'paymentrequest.create', messageId: 'm-1', correlationId: 'k1' })
    second.send({ type: 'paymentrequest.create', messageId: 'm-2', correlationId: 'k2' })
    await merchant.until(() => merchant.ofType('paymentrequest.create').length === 2)
    expect(merchant.ofType('paymentrequest.create').map((m) => m['messageId'])).toEqual(['m-1', 'm-2'])
    // C did not queue it again: the shared queue knew m-1 (the dedupe holds across instances).
    const rows = await a()
      .store.db.selectFrom('relay_queue')
      .select('message_id')
      .where('channel_id', '=', ch.channelId)
      .where('role', '=', 'merchant')
      .execute()
    expect(rows.map((r) => r.message_id).sort()).toEqual(['m-1', 'm-2'])
    // The reply reaches both customers, each on its own instance.
    merchant.send({ type: 'paymentrequest.response', correlationId: 'k2', body: { network: 'regtest' } })
    await second.until(() => second.ofType('paymentrequest.response').length === 1)
    await customer.until(() => customer.ofType('paymentrequest.response').length === 2)
    for (const client of [merchant, customer, second]) client.close()
  })

  it('hybrid: a REST call to B is answered by the merchant on A; with no merchant anywhere, 404 at once', async () => {
    const ch = await createChannel(a().base)
    const none = await fetch(`${b().base}/api/v1/payment/${ch.channelId}`)
    expect(none.status).toBe(404)
    expect(await none.json()).toMatchObject({ reason: 'PL5002' })

    const merchant = await joined(on(a(), merchantUrl(ch)))
    merchant.socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>
      if (m['type'] !== 'paymentrequest.create') return
      merchant.send({
        type: 'paymentrequest.response',
        correlationId: m['correlationId'],
        body: { network: 'regtest', outputs: [], creationTimestamp: 1, memo: 'from A' },
      })
    })
    const res = await fetch(`${b().base}/api/v1/payment/${ch.channelId}`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      memo: 'from A',
      paymentUrl: `${b().base}/api/v1/payment/${ch.channelId}`,
    })
    // The channel API on C sees the merchant held by A.
    const status = await fetch(`${c().base}/api/v1/channels/${ch.channelId}`, {
      headers: { authorization: `Bearer ${MERCHANT_KEY}` },
    })
    expect(await status.json()).toMatchObject({ merchantConnected: true })
    merchant.close()
  })

  it('a proof posted to C reaches the merchant on A and the customer on B, once each', async () => {
    const ch = await createChannel(a().base)
    const { merchant, customer } = await pair(ch)
    const path = new MerklePath(100, [
      [
        { offset: 0, hash: TXID, txid: true },
        { offset: 1, hash: 'cd'.repeat(32) },
      ],
    ])
    const body = {
      txid: TXID,
      txStatus: 'MINED',
      merklePath: path.toHex(),
      blockHash: 'ef'.repeat(32),
      blockHeight: 100,
    }
    const res = await fetch(`${c().base}/api/v1/proofs/${TXID}?i=${ch.channelId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ch.proofToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(res.status).toBe(201)
    await merchant.until(() => merchant.ofType('proof.create').length === 1)
    await customer.until(() => customer.ofType('proof.create').length === 1)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(merchant.ofType('proof.create')).toHaveLength(1)
    expect(customer.ofType('proof.create')).toHaveLength(1)
    for (const client of [merchant, customer]) client.close()
  })

  it('a channel closed through A ends the customer on B with channel.expired', async () => {
    const ch = await createChannel(a().base)
    const { merchant, customer } = await pair(ch)
    const res = await fetch(`${a().base}/api/v1/channels/${ch.channelId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${MERCHANT_KEY}` },
    })
    expect(res.status).toBe(204)
    await customer.until(() => customer.closed !== undefined)
    expect(customer.ofType('channel.expired')).toHaveLength(1)
    expect(customer.closed?.code).toBe(1000)
    await merchant.until(() => merchant.closed !== undefined)
  })

  it('a message whose announcement is lost still reaches the merchant: the sweep of the shared queue', async () => {
    // D shares the schema but not the subjects: nothing it announces is heard.
    const deaf = await startInstance(schema, `${prefix}.elsewhere`)
    instances.push(deaf)
    const ch = await createChannel(a().base)
    const merchant = await joined(on(a(), merchantUrl(ch)))
    const customer = await joined(on(deaf, customerUrl(ch)))
    customer.send({ type: 'payment', messageId: 'lost-1', correlationId: 'k' })
    await merchant.until(() => merchant.ofType('payment').length === 1, 15_000)
    for (const client of [merchant, customer]) client.close()
  })

  it('a cluster on a SQLite store is refused with PL8001', async () => {
    const store = await openStore(tempDb('relay-cluster-sqlite'))
    const bus = await NatsBus.open({ url: nats as string, prefix })
    try {
      await expect(Relay.open({ store, bus, publicUrl: 'http://127.0.0.1:1' })).rejects.toMatchObject({
        code: 'PL8001',
      })
    } finally {
      await bus.close()
      await store.close()
    }
  })
})
