/**
 * The merchant's relay client against the real `paylink relay` (src/relay), in process: a
 * merchant with no listening port (no public URL at all), a wallet paying a model-3 invoice over
 * the channel and a model-2 invoice over the relay's REST bridge (PROTOCOLS.md P4 §1, §14.4,
 * §14.6); the proof then goes devnet → relay sink → `proof.create` to both (§13), the merchant
 * closes the channel, and the wallet rejoins it to take the proof kept for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPaylinkError } from '../../src/core/errors.ts'
import { Merchant } from '../../src/merchant/merchant.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import type { Wallet } from '../../src/wallet/index.ts'
import { until } from '../support/callback-receiver.ts'
import { type RunningDevnet, startDevnet, tempDb } from '../support/devnet.ts'
import { API_KEY } from '../support/merchant.ts'
import { startRelay, type TestRelay } from '../support/relay.ts'
import { openWallet } from '../wallet/wallet-support.ts'

const RELAY_KEY = 'relay-merchant-key-for-the-merchant-test'

let net: RunningDevnet
let relay: TestRelay
let relayUrl: string
let store: Store
let merchant: Merchant
let wallet: Wallet & { close(): Promise<void> }

beforeAll(async () => {
  net = await startDevnet()
  relay = await startRelay(RELAY_KEY)
  relayUrl = relay.url
  store = await openStore(tempDb('merchant'))
  merchant = await Merchant.open({
    store,
    broadcasterUrl: net.urls.arc,
    headersUrl: net.urls.headers,
    apiKey: API_KEY,
    allowInsecure: true,
    publicUrl: undefined,
    relayUrl,
    relayRetryMs: 100,
    relayKey: RELAY_KEY,
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

describe('merchant on the real relay, no listening port', () => {
  it('model 3: the wallet pays over the channel; ACK error 0, invoice paid', async () => {
    const invoice = await merchant.invoices.create({ satoshis: 3000, description: 'real ws' })
    expect(invoice.bitcoinUri).toMatch(/^bitcoin:\?sv&r=ws:\/\/127\.0\.0\.1:\d+\/ws\/\w+\?token%3D/)
    const paid = await wallet.pay(await wallet.fetchRequest(invoice.bitcoinUri))
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0 } })
    expect(await merchant.invoices.get(invoice.id)).toMatchObject({
      state: 'paid',
      payment: { txid: paid.txid },
    })
    expect(merchant.app.server.listening).toBe(false)
  })

  it('a join the relay refuses reaches the wallet as the relay reason (wrong token: PL5004)', async () => {
    const invoice = await merchant.invoices.create({ satoshis: 1000, description: 'wrong token' })
    const forged = invoice.bitcoinUri.replace(
      /token%3D[\w-]+/,
      'token%3DAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    )
    const err = await wallet.fetchRequest(forged).catch((e: unknown) => e)
    expect(isPaylinkError(err, 'PL5004')).toBe(true)
  })

  it('model 2: the wallet pays the relay over REST, bridged to the merchant', async () => {
    const invoice = await merchant.invoices.create({
      satoshis: 2000,
      description: 'real hybrid',
      model: 'hybrid',
    })
    expect(invoice.paymentUrl.startsWith(`${relayUrl}/api/v1/payment/`)).toBe(true)
    const p = await wallet.fetchRequest(invoice.bitcoinUri)
    expect(p.paymentUrl).toBe(invoice.paymentUrl)
    const paid = await wallet.pay(p)
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0 } })
    expect(await merchant.invoices.get(invoice.id)).toMatchObject({ state: 'paid' })
  })

  it('the proof reaches merchant and wallet through the relay; the merchant closes the channel', async () => {
    const invoice = await merchant.invoices.create({ satoshis: 1500, description: 'proof over relay' })
    const paid = await wallet.pay(await wallet.fetchRequest(invoice.bitcoinUri))
    expect(paid).toMatchObject({ state: 'acked' })
    const channel = await merchant.relayChannel(invoice.id)
    const mined = await fetch(`${net.urls.base}/devnet/mine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blocks: 1 }),
    })
    expect(mined.status).toBe(200)
    // The devnet calls the relay's sink (the only callback: this merchant has no URL), the relay
    // sends proof.create to the merchant, which verifies and stores it, then closes the channel.
    await until(async () => (await merchant.invoices.get(invoice.id)).payment?.state === 'mined', 15_000)
    const view = await merchant.invoices.get(invoice.id)
    expect(view.payment?.proof?.blockHash).toMatch(/^[0-9a-f]{64}$/)
    await until(async () => (await merchant.relayChannel(invoice.id))?.state === 'closed')
    // At the relay the channel is closing and the merchant has left it (its socket closes just after).
    await until(async () => {
      const status = await fetch(`${relayUrl}/api/v1/channels/${channel?.channel_id}`, {
        headers: { authorization: `Bearer ${RELAY_KEY}` },
      })
      const body = (await status.json()) as { state?: string; merchantConnected?: boolean }
      return body.state === 'closing' && body.merchantConnected === false
    })
    // The wallet was not on the channel when the proof came: the relay kept it in its queue.
    const collected = await wallet.collectRelayProofs(net.urls.headers)
    // (The model-3 payment of the first test was mined in the same block: its proof comes too.)
    const ours = collected.find((p) => p.txid === paid.txid)
    expect(ours).toMatchObject({ source: 'relay', merklePath: view.payment?.proof?.merklePath })
    expect(collected.every((p) => p.source === 'relay')).toBe(true)
  }, 30_000)
})
