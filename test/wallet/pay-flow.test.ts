/** The wallet library paying a real merchant on a real devnet, over loopback, in both dialects. */
import { createServer, request, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.ts'
import { isPaylinkError } from '../../src/core/errors.ts'
import { openStore } from '../../src/store/index.ts'
import { Wallet } from '../../src/wallet/index.ts'
import { tempDb } from '../support/devnet.ts'
import { type RunningShop, startShop } from '../support/merchant.ts'
import { createInvoice, invoiceState, openWallet } from './wallet-support.ts'

let shop: RunningShop
let wallet: Wallet & { close(): Promise<void> }

beforeAll(async () => {
  shop = await startShop()
  wallet = await openWallet()
  await wallet.fundFromDevnet(shop.net.urls.base, 100_000)
})
afterAll(async () => {
  await wallet.close()
  await shop.close()
})

describe('wallet pays a P4 merchant', () => {
  it('funds from the devnet faucet: one confirmed coin', async () => {
    expect(await wallet.balance()).toEqual({ available: 100_000, reserved: 0, unconfirmed: 0, coins: 1 })
  })

  it('presents a BIP272 URI and pays it in P4 JSON: ACK error 0, invoice paid, change kept', async () => {
    const invoice = await createInvoice(shop, 5000, 'coffee')
    const p = await wallet.fetchRequest(invoice.bitcoinUri)
    expect(p).toMatchObject({ dialect: 'p4', memo: 'coffee', amount: 5000, paymentUrl: invoice.paymentUrl })
    expect(p.merchant).toBe(new URL(shop.base).host)
    expect(p.expiresAt).toBeGreaterThan(Date.now())

    const paid = await wallet.pay(p)
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0, txid: paid.txid } })
    expect(await invoiceState(shop, invoice.id)).toMatchObject({
      state: 'paid',
      payment: { txid: paid.txid, state: 'broadcast' },
    })
    const [record] = await wallet.history()
    expect(record).toMatchObject({ id: paid.id, state: 'acked', satoshis: 5000, txid: paid.txid })
    const balance = await wallet.balance()
    expect(balance).toMatchObject({ available: 100_000 - 5000 - record!.fee, reserved: 0, coins: 1 })
    expect(balance.unconfirmed).toBe(balance.available)
    expect(record!.fee).toBeGreaterThan(0)
    expect(record!.fee).toBeLessThan(500)
  })

  it('pays a pay: URI in strict BIP270, spending the unconfirmed change with its ancestry', async () => {
    const invoice = await createInvoice(shop, 7000, 'tea')
    const p = await wallet.fetchRequest(invoice.payUri, { dialect: 'bip270' })
    expect(p).toMatchObject({
      dialect: 'bip270',
      amount: 7000,
      merchantData: `{"paymentReference":"${invoice.id}"}`,
    })
    const paid = await wallet.pay(p)
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0 } })
    expect(await invoiceState(shop, invoice.id)).toMatchObject({
      state: 'paid',
      payment: { txid: paid.txid },
    })
  })

  it('a refused Payment releases its coins and keeps the reason', async () => {
    const invoice = await createInvoice(shop, 1000)
    const p = await wallet.fetchRequest(invoice.bitcoinUri)
    await shopCancel(invoice.id)
    const before = await wallet.balance()
    const result = await wallet.pay(p)
    expect(result).toMatchObject({ state: 'refused', reason: 'PL2008' })
    expect(await wallet.balance()).toEqual(before)
    expect((await wallet.history())[0]).toMatchObject({ state: 'refused', reason: 'PL2008' })
  })

  it('an expired, cancelled or req- request is refused before anything is paid', async () => {
    const invoice = await createInvoice(shop, 1000)
    const later = new ManualClock(Date.now() + 2 * 86_400_000)
    const store = await openStore(tempDb('wallet'))
    try {
      const timeTraveller = await Wallet.open({ store, clock: later })
      await expect(timeTraveller.fetchRequest(invoice.bitcoinUri)).rejects.toSatisfy((e) =>
        isPaylinkError(e, 'PL2009'),
      )
    } finally {
      await store.close()
    }
    await shopCancel(invoice.id)
    await expect(wallet.fetchRequest(invoice.bitcoinUri)).rejects.toSatisfy((e) =>
      isPaylinkError(e, 'PL2008'),
    )
    await expect(wallet.fetchRequest('bitcoin:?sv&r=http://127.0.0.1:1/x&req-bip275=1')).rejects.toSatisfy(
      (e) => isPaylinkError(e, 'PL1011'),
    )
  })

  it('an ACK lost on the way leaves the coins reserved; re-sending the same Payment gets it', async () => {
    const invoice = await createInvoice(shop, 2000)
    const proxy = await lossyProxy(shop.base)
    try {
      const p = await wallet.fetchRequest(invoice.bitcoinUri)
      const viaProxy = { ...p, paymentUrl: p.paymentUrl.replace(shop.base, proxy.url) }
      const first = await wallet.pay(viaProxy)
      expect(first.state).toBe('sent')
      expect((await wallet.balance()).reserved).toBeGreaterThan(0)
      // The merchant took it: the invoice is paid although the wallet saw no ACK.
      expect(await invoiceState(shop, invoice.id)).toMatchObject({
        state: 'paid',
        payment: { txid: first.txid },
      })

      const [retried] = await wallet.retryPending()
      expect(retried).toMatchObject({ id: first.id, state: 'acked', txid: first.txid, ack: { error: 0 } })
      expect(proxy.bodies()).toHaveLength(2)
      expect(proxy.bodies()[1]).toBe(proxy.bodies()[0])
      expect((await wallet.balance()).reserved).toBe(0)
    } finally {
      await proxy.close()
    }
  })
})

async function shopCancel(id: string): Promise<void> {
  const res = await fetch(`${shop.base}/api/v1/invoices/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${shop.apiKey}` },
  })
  expect(res.status).toBe(200)
}

/** A proxy to `target` that forwards every POST but drops the first answer (the ACK is lost). */
async function lossyProxy(
  target: string,
): Promise<{ url: string; bodies(): string[]; close(): Promise<void> }> {
  const bodies: string[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      bodies.push(body)
      const out = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        const back: Buffer[] = []
        answer.on('data', (c: Buffer) => back.push(c))
        answer.on('end', () => {
          if (bodies.length === 1) res.destroy()
          else res.writeHead(answer.statusCode ?? 500, answer.headers).end(Buffer.concat(back))
        })
      })
      out.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    bodies: () => bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
