/**
 * The merchant's socket cut mid-payment (issue: relay, "what it must show"): on the real relay,
 * a model-3 payment (1) sent while the merchant's socket is down waits in the relay's queue and
 * is answered after the rejoin; (2) received, then the socket cut while it is being broadcast:
 * the ACK waits in the merchant's outbox and goes out after the rejoin. Either way the customer,
 * still on the channel, gets one ACK; the invoice has one payment; nothing is applied twice.
 * And after a relay restart the merchant comes back by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Merchant } from '../../src/merchant/merchant.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import type { Wallet } from '../../src/wallet/index.ts'
import { until } from '../support/callback-receiver.ts'
import { type RunningDevnet, startDevnet, tempDb } from '../support/devnet.ts'
import { API_KEY } from '../support/merchant.ts'
import { startRelay, type TestRelay } from '../support/relay.ts'
import { openWallet } from '../wallet/wallet-support.ts'

const RELAY_KEY = 'relay-merchant-key-for-the-cut-test'

let net: RunningDevnet
let relay: TestRelay
let store: Store
let merchant: Merchant
let wallet: Wallet & { close(): Promise<void> }

beforeAll(async () => {
  net = await startDevnet()
  relay = await startRelay(RELAY_KEY)
  store = await openStore(tempDb('merchant'))
  merchant = await Merchant.open({
    store,
    broadcasterUrl: net.urls.arc,
    headersUrl: net.urls.headers,
    apiKey: API_KEY,
    publicUrl: undefined,
    relayUrl: relay.url,
    relayKey: RELAY_KEY,
    relayRetryMs: 300,
  })
  wallet = await openWallet()
  await wallet.fundFromDevnet(net.urls.base, 50_000)
}, 30_000)
afterAll(async () => {
  await wallet.close()
  await merchant.close()
  await store.close()
  await relay.close()
  await net.close()
})

async function channelOf(invoiceId: string): Promise<string> {
  const channel = await merchant.relayChannel(invoiceId)
  if (channel === undefined) throw new Error('no channel')
  return channel.channel_id
}

/** Cuts the merchant's socket from the relay's side, as a dropped NAT mapping would. */
function cutMerchant(channelId: string): void {
  const socket = relay.relay.hub.find(channelId)?.merchant?.socket
  if (socket === undefined) throw new Error('merchant not connected')
  socket.terminate()
}

async function paymentsOf(invoiceId: string) {
  return store.db.selectFrom('merchant_payments').selectAll().where('invoice_id', '=', invoiceId).execute()
}

describe("the merchant's socket cut mid-payment", () => {
  it('a payment sent while the merchant is away is queued, answered after the rejoin, once', async () => {
    const invoice = await merchant.invoices.create({ satoshis: 2100, description: 'cut before' })
    const presented = await wallet.fetchRequest(invoice.bitcoinUri)
    const channelId = await channelOf(invoice.id)
    cutMerchant(channelId)
    await until(() => merchant.relay?.isConnected(invoice.id) === false)
    const paid = await wallet.pay(presented)
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0 } })
    expect(merchant.relay?.isConnected(invoice.id)).toBe(true)
    expect(await paymentsOf(invoice.id)).toHaveLength(1)
    expect(await merchant.invoices.get(invoice.id)).toMatchObject({
      state: 'paid',
      payment: { txid: paid.txid },
    })
  })

  it('a payment being broadcast when the socket is cut is acknowledged after the rejoin, once', async () => {
    const invoice = await merchant.invoices.create({ satoshis: 2200, description: 'cut during' })
    const presented = await wallet.fetchRequest(invoice.bitcoinUri)
    const channelId = await channelOf(invoice.id)
    const step = merchant.broadcastStep
    const run = step.run.bind(step)
    let broadcasts = 0
    step.run = async (row) => {
      broadcasts++
      // The payment is here and stored; the socket goes before its ACK can.
      cutMerchant(channelId)
      await until(() => merchant.relay?.isConnected(invoice.id) === false)
      return run(row)
    }
    try {
      const paid = await wallet.pay(presented)
      expect(paid).toMatchObject({ state: 'acked', ack: { error: 0 } })
      expect(broadcasts).toBe(1)
    } finally {
      step.run = run
    }
    const payments = await paymentsOf(invoice.id)
    expect(payments).toHaveLength(1)
    expect(payments[0]?.state).toBe('broadcast')
    expect((await wallet.history()).filter((p) => p.paymentUrl === presented.paymentUrl)).toHaveLength(1)
  })

  it('after a relay restart the merchant rejoins by itself and the invoice is paid', async () => {
    const invoice = await merchant.invoices.create({ satoshis: 2300, description: 'relay restart' })
    await relay.relay.close()
    await until(() => merchant.relay?.isConnected(invoice.id) === false)
    await relay.reopen()
    await until(() => merchant.relay?.isConnected(invoice.id) === true, 15_000)
    const paid = await wallet.pay(await wallet.fetchRequest(invoice.bitcoinUri))
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0 } })
    expect(await merchant.invoices.get(invoice.id)).toMatchObject({ state: 'paid' })
  }, 30_000)
})
