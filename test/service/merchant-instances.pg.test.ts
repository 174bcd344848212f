/**
 * Several merchant instances on one PostgreSQL database behave as one merchant (issue 7): two
 * `Merchant` HTTP servers share one schema, as behind a load balancer. 100 Payment POSTs — each
 * Payment twice and a conflicting transaction twice for every invoice — are spread over both at
 * once: every invoice is credited exactly once, copies of a Payment get the byte-identical ACK,
 * the conflicting transaction gets 409 `PL2007` and is never broadcast; a proof called back to
 * either instance (or both at once) is stored once and delivered to `proofCallbacks` once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src/store/index.ts'
import { type CallbackReceiver, startCallbackReceiver, until } from '../support/callback-receiver.ts'
import { fundedKey, type RunningDevnet, startDevnet } from '../support/devnet.ts'
import { type RunningShop, startShop } from '../support/merchant.ts'
import {
  type Answer,
  buildTx,
  fetchTerms,
  type Json,
  newInvoice,
  p4Payment,
  post,
} from '../support/p4-payments.ts'
import { dropPgTestSchemas, openPgTestStore, pgTestSchema, pgUrl } from '../support/services.ts'

const url = pgUrl()
const INVOICES = 25
/** Per invoice: the Payment to instance A and to B, a conflicting one to A and to B. */
const POSTS_PER_INVOICE = 4

/** One POST of the run: which invoice, which of its two transactions, which instance. */
interface Sent {
  invoiceId: string
  txid: string
  instance: 'a' | 'b'
  paymentUrl: string
  body: Json
  answer: Answer
}

describe.skipIf(url === undefined)('several merchant instances on one PostgreSQL database', () => {
  let net: RunningDevnet
  let a: RunningShop
  let b: RunningShop
  let receiver: CallbackReceiver

  beforeAll(async () => {
    net = await startDevnet()
    receiver = await startCallbackReceiver()
    const schema = pgTestSchema()
    // Both instances open (and migrate) the new schema at the same time, as a deployment starts.
    const [storeA, storeB] = await Promise.all([
      openPgTestStore(url as string, schema),
      openPgTestStore(url as string, schema),
    ])
    const shop = (store: Store) => startShop({ net, store, proofDelivery: { retryBaseMs: 50, pollMs: 25 } })
    ;[a, b] = await Promise.all([shop(storeA as Store), shop(storeB as Store)])
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await receiver?.close()
    await net?.close()
    await dropPgTestSchemas(url as string)
  })

  /** The same path on the other instance: what a load balancer does. */
  const on = (instance: RunningShop, paymentUrl: string) => paymentUrl.replace(a.base, instance.base)

  /** Builds every invoice's two transactions, then POSTs all copies at once in a shuffled order. */
  async function payAll(): Promise<Sent[]> {
    const plans = await Promise.all(
      Array.from({ length: INVOICES }, async (_, i) => {
        const { id, url: paymentUrl } = await newInvoice(i % 2 === 0 ? a : b)
        const terms = await fetchTerms(on(a, paymentUrl))
        const txs = [
          await buildTx(await fundedKey(net.urls, 10_000), terms.outputs),
          await buildTx(await fundedKey(net.urls, 10_000), terms.outputs),
        ]
        return txs.flatMap((tx) => {
          const body = { ...p4Payment(terms, tx), proofCallbacks: { [receiver.url]: { token: 't' } } }
          return (['a', 'b'] as const).map((instance) => ({ invoiceId: id, paymentUrl, tx, body, instance }))
        })
      }),
    )
    const posts = shuffle(plans.flat())
    expect(posts).toHaveLength(INVOICES * POSTS_PER_INVOICE)
    return Promise.all(
      posts.map(async (p) => ({
        invoiceId: p.invoiceId,
        txid: p.tx.id('hex'),
        instance: p.instance,
        paymentUrl: p.paymentUrl,
        body: p.body,
        answer: await post(on(p.instance === 'a' ? a : b, p.paymentUrl), p.body),
      })),
    )
  }

  let sent: Sent[] = []
  const winners = new Map<string, string>()

  it('100 duplicate and conflicting POSTs over both instances: each invoice credited exactly once', async () => {
    sent = await payAll()
    for (const [invoiceId, answers] of groupBy(sent, (s) => s.invoiceId)) {
      const accepted = answers.filter((s) => s.answer.status === 201)
      const refused = answers.filter((s) => s.answer.status !== 201)
      // Both copies of one transaction win with the same ACK; both of the other lose with 409.
      expect(accepted, invoiceId).toHaveLength(2)
      expect(new Set(accepted.map((s) => s.txid)).size, invoiceId).toBe(1)
      expect(accepted[1]!.answer.text).toBe(accepted[0]!.answer.text)
      expect(accepted[0]!.answer.json).toMatchObject({ id: invoiceId, tx_id: accepted[0]!.txid, error: 0 })
      for (const r of refused) {
        expect(r.answer.status, invoiceId).toBe(409)
        expect(r.answer.json).toMatchObject({ code: 'D001', reason: 'PL2007' })
        expect(r.txid).not.toBe(accepted[0]!.txid)
        expect(await broadcasterKnows(r.txid)).toBe(false)
      }
      winners.set(invoiceId, accepted[0]!.txid)
    }
    expect(winners.size).toBe(INVOICES)
    const rows = await a.store.db.selectFrom('merchant_payments').selectAll().execute()
    expect(rows).toHaveLength(INVOICES)
    for (const row of rows) {
      expect(row).toMatchObject({ txid: winners.get(row.invoice_id), state: 'broadcast', ack_status: 201 })
    }
    const invoices = await b.store.db.selectFrom('merchant_invoices').select(['id', 'state']).execute()
    expect(invoices.map((i) => i.state)).toEqual(Array(INVOICES).fill('paid'))
  })

  it('the same Payment again, to either instance, gets the stored ACK', async () => {
    const first = sent.find((s) => s.answer.status === 201)!
    const again = sent.filter((s) => s.txid === first.txid)
    expect(again).toHaveLength(2)
    for (const shop of [a, b]) {
      const answer = await post(on(shop, first.paymentUrl), first.body)
      expect(answer.status).toBe(201)
      expect(answer.text).toBe(first.answer.text)
    }
  })

  it('proofs called back to both instances at once are stored once and delivered once', async () => {
    const mined = await post(`${net.urls.base}/devnet/mine`, { blocks: 1 })
    expect(mined.status).toBe(200)
    const rows = () => a.store.db.selectFrom('merchant_payments').selectAll().execute()
    await until(async () => (await rows()).every((r) => r.state === 'mined'), 60_000)
    // The broadcaster's callbacks may have reached one instance or both; now both at once, again.
    const sinks = (await rows()).flatMap((row) =>
      [a, b].map((shop) =>
        fetch(`${shop.base}/api/v1/proofs/${row.txid}?i=${row.invoice_id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${row.callback_token}` },
          body: JSON.stringify({
            timestamp: new Date().toISOString(),
            txid: row.txid,
            txStatus: 'MINED',
            blockHash: row.block_hash,
            blockHeight: row.block_height,
            merklePath: row.merkle_path,
          }),
        }).then((res) => res.status),
      ),
    )
    expect(new Set(await Promise.all(sinks))).toEqual(new Set([201]))
    const deliveries = () => a.store.db.selectFrom('merchant_proof_deliveries').selectAll().execute()
    await until(async () => (await deliveries()).every((d) => d.state === 'delivered'), 30_000)
    // Both delivery loops poll every 25 ms: ample time for a second copy, if one were sent.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(await deliveries()).toHaveLength(INVOICES)
    expect((await deliveries()).map((d) => d.attempts)).toEqual(Array(INVOICES).fill(1))
    const delivered = receiver.delivered.map(
      (d) => (JSON.parse(d['payload'] as string) as Json)['callbackTxId'],
    )
    expect(delivered.toSorted()).toEqual([...winners.values()].toSorted())
  })

  async function broadcasterKnows(txid: string): Promise<boolean> {
    return (await fetch(`${net.urls.arc}/v1/tx/${txid}`)).status === 200
  }
})

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}

/** Fisher–Yates, so copies of one Payment do not always arrive side by side. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
