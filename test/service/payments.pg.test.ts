/**
 * The merchant and the wallet on PostgreSQL (issue 3: the store runs on both engines): a wallet
 * pays a merchant, both on their own schemas; two different transactions for one invoice race and
 * the partial unique index credits it once; the same Payment again gets the same ACK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Wallet } from '../../src/wallet/index.ts'
import { fundedKey } from '../support/devnet.ts'
import { type RunningShop, startShop } from '../support/merchant.ts'
import { buildTx, fetchTerms, newInvoice, p4Payment, paymentRows, post } from '../support/p4-payments.ts'
import { dropPgTestSchemas, openPgTestStore, pgUrl } from '../support/services.ts'

const url = pgUrl()

describe.skipIf(url === undefined)('payments on PostgreSQL', () => {
  let shop: RunningShop
  let wallet: Wallet
  let closeWallet: () => Promise<void>

  beforeAll(async () => {
    shop = await startShop({ store: await openPgTestStore(url as string) })
    const walletStore = await openPgTestStore(url as string)
    wallet = await Wallet.open({ store: walletStore })
    closeWallet = () => walletStore.close()
    await wallet.fundFromDevnet(shop.net.urls.base, 50_000)
  })
  afterAll(async () => {
    await closeWallet()
    await shop.close()
    await dropPgTestSchemas(url as string)
  })

  it('a wallet on PostgreSQL pays a merchant on PostgreSQL', async () => {
    const invoice = await newInvoice(shop, { satoshis: 3000 })
    const paid = await wallet.pay(await wallet.fetchRequest(invoice.body['bitcoinUri'] as string))
    expect(paid).toMatchObject({ state: 'acked', ack: { error: 0 } })
    const balance = await wallet.balance()
    // The change, unconfirmed until mined: what is left after 3000 and the fee.
    expect(balance).toMatchObject({ reserved: 0, coins: 1 })
    expect(balance.available).toBeLessThan(50_000 - 3000)
    expect(balance.unconfirmed).toBe(balance.available)
  })

  it('two transactions racing for one invoice: one 201, one 409 PL2007, credited once', async () => {
    const { id, url: paymentUrl } = await newInvoice(shop, { satoshis: 2000 })
    const terms = await fetchTerms(paymentUrl)
    const [a, b] = await Promise.all([fundedKey(shop.net.urls, 10_000), fundedKey(shop.net.urls, 10_000)])
    const [txA, txB] = await Promise.all([buildTx(a, terms.outputs), buildTx(b, terms.outputs)])
    const answers = await Promise.all([
      post(paymentUrl, p4Payment(terms, txA)),
      post(paymentUrl, p4Payment(terms, txB)),
    ])
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409])
    expect(answers.find((r) => r.status === 409)?.json).toMatchObject({ reason: 'PL2007' })
    const live = (await paymentRows(shop, id)).filter((p) => p.state !== 'rejected')
    expect(live).toHaveLength(1)
  })

  it('the same Payment posted again gets the byte-identical ACK', async () => {
    const { url: paymentUrl } = await newInvoice(shop, { satoshis: 1000 })
    const terms = await fetchTerms(paymentUrl)
    const body = p4Payment(terms, await buildTx(await fundedKey(shop.net.urls, 10_000), terms.outputs))
    const first = await post(paymentUrl, body)
    const second = await post(paymentUrl, body)
    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    expect(second.text).toBe(first.text)
  })
})
