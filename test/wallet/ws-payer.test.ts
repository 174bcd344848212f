/**
 * The wallet library paying a model-3 invoice over a relay channel (PROTOCOLS.md P4 §2, §14.4):
 * the merchant never listens; it connects out to the (fake) relay, and the request, the Payment
 * and the ACK all travel as channel messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isPaylinkError } from '../../src/core/errors.ts'
import { parsePaymentUri } from '../../src/p4/uri.ts'
import { openStore } from '../../src/store/index.ts'
import { type PayResult, Wallet } from '../../src/wallet/index.ts'
import { tempDb } from '../support/devnet.ts'
import { type RelayShop, startRelayShop } from '../support/fake-relay.ts'
import { openWallet } from './wallet-support.ts'

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

function typesSeen(channelId: string): string[] {
  return shop.relay.seen.filter((s) => s.message.channelId === channelId).map((s) => s.message.type)
}

describe('wallet pays a websocket invoice over the relay channel', () => {
  it('a relay-configured merchant defaults to model websocket: the URI carries the ws URL and token', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 3000, description: 'ws coffee' })
    expect(invoice.model).toBe('websocket')
    const uri = parsePaymentUri(invoice.bitcoinUri)
    const channel = shop.relay.channels.get(uri.channelId ?? '')
    expect(uri).toMatchObject({ transport: 'websocket', token: channel?.customerToken })
    expect(invoice.paymentUrl).toBe(`ws://${new URL(shop.relay.url).host}/ws/${uri.channelId}`)
    expect(invoice.bitcoinUri).toContain(`?token%3D`)
  })

  it('fetches, pays and gets ACK error 0 on the channel; the invoice is paid; no port was opened', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 5000, description: 'ws tea' })
    const p = await wallet.fetchRequest(invoice.bitcoinUri)
    expect(p).toMatchObject({ dialect: 'p4', amount: 5000, memo: 'ws tea', paymentUrl: invoice.paymentUrl })
    const paid = await wallet.pay(p)
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0, txid: paid.txid } })
    expect(await shop.merchant.invoices.get(invoice.id)).toMatchObject({
      state: 'paid',
      payment: { txid: paid.txid },
    })
    expect(shop.merchant.app.server.listening).toBe(false)
    const channelId = parsePaymentUri(invoice.bitcoinUri).channelId ?? ''
    expect(typesSeen(channelId)).toEqual([
      'paymentrequest.create',
      'paymentrequest.response',
      'payment',
      'payment.ack',
    ])
  })

  it('pays in strict BIP270 when asked: the request comes in that dialect over the channel', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 2000, description: 'bip270 ws' })
    const p = await wallet.fetchRequest(invoice.payUri, { dialect: 'bip270' })
    expect(p.dialect).toBe('bip270')
    expect(await wallet.pay(p)).toMatchObject({ state: 'acked', ack: { error: 0 } })
  })

  it('a cancelled invoice: the request is refused with paymentrequest.error PL2008', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 1000, description: 'gone' })
    await shop.merchant.invoices.cancel(invoice.id)
    const err = await wallet.fetchRequest(invoice.bitcoinUri).catch((e: unknown) => e)
    expect(isPaylinkError(err, 'PL2008')).toBe(true)
  })

  it('cancelled after the request was shown: payment.error PL2008, the payment refused, coins released', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 1000, description: 'cancel me' })
    const p = await wallet.fetchRequest(invoice.bitcoinUri)
    await shop.merchant.invoices.cancel(invoice.id)
    const before = await wallet.balance()
    expect(await wallet.pay(p)).toMatchObject({ state: 'refused', reason: 'PL2008' })
    expect(await wallet.balance()).toEqual(before)
    const channelId = parsePaymentUri(invoice.bitcoinUri).channelId ?? ''
    expect(typesSeen(channelId)).toContain('payment.error')
  })

  it('no answer in time leaves the payment sent; once the merchant is back a retry gets the ACK', async () => {
    const store = await openStore(tempDb('wallet'))
    const quick = await Wallet.open({ store, http: { timeoutMs: 1000 } })
    try {
      await quick.fundFromDevnet(shop.net.urls.base, 10_000)
      const invoice = await shop.merchant.invoices.create({ satoshis: 1000, description: 'later' })
      const p = await quick.fetchRequest(invoice.bitcoinUri)
      let first: PayResult | undefined
      await shop.restart(async () => {
        first = await quick.pay(p)
      })
      expect(first).toMatchObject({ state: 'sent', reason: expect.stringMatching(/no payment.ack/) })
      const [retried] = await quick.retryPending()
      expect(retried).toMatchObject({ state: 'acked', txid: first?.txid, ack: { error: 0 } })
      expect(await shop.merchant.invoices.get(invoice.id)).toMatchObject({ state: 'paid' })
    } finally {
      await store.close()
    }
  })

  it('a hybrid invoice points its URIs at the relay payment URL', async () => {
    const invoice = await shop.merchant.invoices.create({ satoshis: 1000, description: 'h', model: 'hybrid' })
    const uri = parsePaymentUri(invoice.bitcoinUri)
    expect(uri.transport).toBe('rest')
    expect(invoice.paymentUrl).toBe(uri.url)
    expect(uri.url).toMatch(new RegExp(`^${shop.relay.url}/api/v1/payment/[A-Za-z0-9]{22}$`))
  })
})
