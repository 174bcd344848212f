/**
 * The merchant's relay client (PROTOCOLS.md P4 §14.4, §14.5): it rejoins after a drop and after
 * a restart, answers a re-sent Payment with the identical ACK, drops a repeated `messageId`, and
 * refuses a relay model without a relay (422 `PL1009`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { isPaylinkError } from '../../src/core/errors.ts'
import { type Envelope, envelope, parseEnvelope } from '../../src/p4/relay-envelope.ts'
import { parsePaymentUri } from '../../src/p4/uri.ts'
import type { Wallet } from '../../src/wallet/index.ts'
import { type RelayShop, startRelayShop } from '../support/fake-relay.ts'
import { admin, startShop } from '../support/merchant.ts'
import { freePort } from '../support/ports.ts'
import { eventually, openWallet } from '../wallet/wallet-support.ts'

let shop: RelayShop
let wallet: Wallet & { close(): Promise<void> }

beforeAll(async () => {
  shop = await startRelayShop()
  wallet = await openWallet()
  await wallet.fundFromDevnet(shop.net.urls.base, 100_000)
}, 30_000)
afterAll(async () => {
  await wallet.close()
  await shop.close()
})

/** A raw customer socket on the channel of `bitcoinUri`, collecting what it receives. */
async function customerSocket(bitcoinUri: string): Promise<{ ws: WebSocket; inbox: Envelope[] }> {
  const inbox: Envelope[] = []
  const ws = new WebSocket(parsePaymentUri(bitcoinUri).url)
  ws.on('message', (data) => {
    const message = parseEnvelope(JSON.parse(data.toString()))
    if (message !== undefined) inbox.push(message)
  })
  await eventually(async () => (inbox.some((m) => m.type === 'join.success') ? true : undefined))
  return { ws, inbox }
}

function channelOf(bitcoinUri: string) {
  const channel = shop.relay.channels.get(parsePaymentUri(bitcoinUri).channelId ?? '')
  if (channel === undefined) throw new Error('no channel')
  return channel
}

describe('merchant relay client', () => {
  it('a dropped merchant socket is rejoined, and a later payment still works', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 2500, description: 'drop' })
    const channel = channelOf(invoice.bitcoinUri)
    await eventually(async () => (channel.merchantJoins === 1 && channel.merchant ? true : undefined))
    shop.relay.dropMerchant(channel.id)
    await eventually(async () => (channel.merchantJoins === 2 && channel.merchant ? true : undefined))
    const paid = await wallet.pay(await wallet.fetchRequest(invoice.bitcoinUri))
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0 } })
    expect(await shop.merchant.invoices.get(invoice.id)).toMatchObject({ state: 'paid' })
  })

  it('every open channel is rejoined when the merchant starts again', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 1500, description: 'restart' })
    const channel = channelOf(invoice.bitcoinUri)
    await eventually(async () => (channel.merchant ? true : undefined))
    const joins = channel.merchantJoins
    await shop.restart()
    await eventually(async () => (channel.merchantJoins > joins && channel.merchant ? true : undefined))
    const paid = await wallet.pay(await wallet.fetchRequest(invoice.bitcoinUri))
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0 } })
  })

  it('a channel the relay no longer knows (404 on rejoin) is marked closed and left alone', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 1300, description: 'forgotten' })
    const channel = channelOf(invoice.bitcoinUri)
    await eventually(async () => (channel.merchant ? true : undefined))
    shop.relay.dropMerchant(channel.id)
    shop.relay.channels.delete(channel.id)
    const state = async () =>
      (
        await shop.store.db
          .selectFrom('merchant_channels')
          .select('state')
          .where('invoice_id', '=', invoice.id)
          .executeTakeFirstOrThrow()
      ).state
    expect(await eventually(async () => ((await state()) === 'closed' ? 'closed' : undefined))).toBe('closed')
    expect(shop.merchant.relay?.isConnected(invoice.id)).toBe(false)
  })

  it('re-sent identical payment gets the identical ACK', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 1200, description: 'twice' })
    const paid = await wallet.pay(await wallet.fetchRequest(invoice.bitcoinUri))
    expect(paid.state).toBe('acked')
    const channel = channelOf(invoice.bitcoinUri)
    const sent = shop.relay.seen.find(
      (s) => s.message.channelId === channel.id && s.message.type === 'payment',
    )
    const first = shop.relay.seen.find(
      (s) => s.message.channelId === channel.id && s.message.type === 'payment.ack',
    )
    const { ws, inbox } = await customerSocket(invoice.bitcoinUri)
    const again = envelope({
      type: 'payment',
      channelId: channel.id,
      correlationId: 'resend-1',
      headers: { 'Content-Type': ['application/json'] },
      body: sent?.message.body,
    })
    ws.send(JSON.stringify(again))
    const ack = await eventually(async () => inbox.find((m) => m.correlationId === 'resend-1'))
    ws.close()
    expect(ack.type).toBe('payment.ack')
    expect(ack.body).toEqual(first?.message.body)
    expect(ack.body).toMatchObject({ error: 0, tx_id: paid.txid })
  })

  it('a repeated messageId is answered once; replies copy the correlationId and set expiration', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 1100, description: 'dup' })
    const channel = channelOf(invoice.bitcoinUri)
    await eventually(async () => (channel.merchant ? true : undefined))
    const { ws, inbox } = await customerSocket(invoice.bitcoinUri)
    const create = envelope({ type: 'paymentrequest.create', channelId: channel.id, correlationId: 'dup-1' })
    ws.send(JSON.stringify(create))
    ws.send(JSON.stringify(create))
    const response = await eventually(async () => inbox.find((m) => m.correlationId === 'dup-1'))
    await new Promise((resolve) => setTimeout(resolve, 300))
    ws.close()
    expect(inbox.filter((m) => m.correlationId === 'dup-1')).toHaveLength(1)
    expect(response).toMatchObject({ type: 'paymentrequest.response', appId: 'paylink' })
    expect(response.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(response.headers['X-Origin-Id']).toEqual([shop.merchant.relay?.origin])
    expect(response.body).toMatchObject({
      paymentUrl: `ws://${new URL(shop.relay.url).host}/ws/${channel.id}`,
    })
  })

  it('a malformed payment gets payment.error with the validation errors map', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 1000, description: 'bad' })
    const channel = channelOf(invoice.bitcoinUri)
    await eventually(async () => (channel.merchant ? true : undefined))
    const { ws, inbox } = await customerSocket(invoice.bitcoinUri)
    const bad = envelope({
      type: 'payment',
      channelId: channel.id,
      correlationId: 'bad-1',
      body: { memo: 1 },
    })
    ws.send(JSON.stringify(bad))
    const reply = await eventually(async () => inbox.find((m) => m.correlationId === 'bad-1'))
    ws.close()
    expect(reply).toMatchObject({ type: 'payment.error', body: { reason: 'PL1004' } })
    expect(reply.body).toHaveProperty('errors')
  })

  it('without a relay, a websocket or hybrid invoice is 422 PL1009 and rest stays the default', async () => {
    const plain = await startShop({ net: shop.net })
    try {
      const err = await plain.merchant.invoices
        .create({ satoshis: 1000, description: 'x', model: 'websocket' })
        .catch((e: unknown) => e)
      expect(isPaylinkError(err, 'PL1009')).toBe(true)
      expect((await plain.merchant.invoices.create({ satoshis: 1000, description: 'x' })).model).toBe('rest')
    } finally {
      await plain.close()
    }
  })

  it('a relay that cannot be reached at invoice creation is 503 PL8007 with Retry-After, nothing stored', async () => {
    const down = await startShop({
      net: shop.net,
      relayUrl: `http://127.0.0.1:${await freePort()}`,
      relayKey: 'k',
    })
    try {
      const res = await admin(down, 'POST', '/api/v1/invoices', { satoshis: 1000, description: 'x' })
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBe('10')
      expect(res.body).toMatchObject({ reason: 'PL8007' })
      expect((await admin(down, 'GET', '/api/v1/invoices')).body).toMatchObject({ invoices: [] })
    } finally {
      await down.close()
    }
  })
})
