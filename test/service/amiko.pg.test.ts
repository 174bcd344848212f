/**
 * Amiko nodes on PostgreSQL (issue 7): two neighbours, each node's state in its own schema, make
 * the two-node payment of protocols-amiko.md §14 (123 of a 1000/0 channel, the meeting point on
 * the payee); both nodes stop and start again from PostgreSQL alone, find their balances and the
 * payment log as committed, and pay again over the same channel. A second node process opened
 * on a node's schema cannot overwrite its state: its commits are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AmikoNode, type AmikoNodeOptions } from '../../src/amiko/node/node.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { freePort } from '../support/ports.ts'
import { dropPgTestSchemas, pgTestSchema, pgUrl } from '../support/services.ts'

const url = pgUrl()

/** A node listening on a fixed port (its links' URLs must survive the restart) over its schema. */
interface PgNode {
  node: AmikoNode
  store: Store
  close(): Promise<void>
}

async function startPgNode(schema: string, port: number, o: Partial<AmikoNodeOptions>): Promise<PgNode> {
  const store = await openStore(url as string, { schema })
  const node = await AmikoNode.open({ store, port, ...o })
  await node.listen()
  return {
    node,
    store,
    async close() {
      await node.close()
      await store.close()
    },
  }
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe.skipIf(url === undefined)('Amiko nodes on PostgreSQL', () => {
  const schemas = { payer: pgTestSchema(), payee: pgTestSchema() }
  const ports = { payer: 0, payee: 0 }
  let payer: PgNode
  let payee: PgNode

  const startPayee = () => startPgNode(schemas.payee, ports.payee, { name: 'payee', meetingPoints: ['MP'] })
  const startPayer = () =>
    startPgNode(schemas.payer, ports.payer, {
      name: 'payer',
      settings: { externalMeetingPoints: { MP: payee.node.nodeKey } },
    })
  const linked = () => payer.node.list().links.some((l) => l.name === 'link_to_payee' && l.connected)

  /** Requests `amount` at the payee, pays it from the payer, and waits for both outcomes. */
  async function pay(amount: number, receipt: string) {
    const request = await payee.node.request(amount, receipt)
    const offer = await payer.node.pay(request.url)
    const outcome = await payer.node.confirm(offer.payer, true, 30_000)
    const payeeSide = await payee.node.payeeOutcome(request.paymentId, 30_000)
    return { request, outcome, payeeSide }
  }

  beforeAll(async () => {
    ;[ports.payer, ports.payee] = await Promise.all([freePort(), freePort()])
    payee = await startPayee()
    payer = await startPayer()
    const { url: linkUrl } = await payee.node.makeLink('link_to_payer')
    await payer.node.makeLink('link_to_payee', linkUrl)
    await until(linked)
    await payer.node.deposit('link_to_payee', 1000, 0)
  }, 60_000)
  afterAll(async () => {
    await payer?.close()
    await payee?.close()
    await dropPgTestSchemas(url as string)
  })

  it('123 commits over one channel: 877/123, each node’s state in its own schema', async () => {
    const { outcome, payeeSide } = await pay(123, 'coffee')
    expect(outcome.state).toBe('committed')
    expect(payeeSide.state).toBe('committed')
    await until(() => payee.node.balance().total === 123)
    expect(payer.node.balance()).toEqual({
      links: { link_to_payee: { local: 877, remote: 123 } },
      total: 877,
    })
    const rows = await payer.store.db.selectFrom('amiko_state').select('node').execute()
    expect(rows).toHaveLength(1)
  }, 60_000)

  it('both nodes restart from PostgreSQL with their balances and log, and pay again', async () => {
    const logBefore = await payer.node.payments()
    await payer.close()
    await payee.close()
    payee = await startPayee()
    payer = await startPayer()
    expect(payer.node.balance().total).toBe(877)
    expect(payee.node.balance().total).toBe(123)
    expect(await payer.node.payments()).toEqual(logBefore)
    await until(linked)
    const { outcome } = await pay(77, 'second coffee')
    expect(outcome.state).toBe('committed')
    await until(() => payee.node.balance().total === 200)
    expect(payer.node.balance().total).toBe(800)
  }, 90_000)

  it('a second node process on the same schema is refused (PL8003) and overwrites nothing', async () => {
    const schema = pgTestSchema()
    const first = await startPgNode(schema, 0, { name: 'first' })
    const second = await startPgNode(schema, 0, { name: 'second' })
    try {
      await first.node.makeLink('made_by_first')
      await expect(second.node.makeLink('made_by_second')).rejects.toMatchObject({ code: 'PL8003' })
    } finally {
      await second.close()
      await first.close()
    }
    const again = await startPgNode(schema, 0, { name: 'again' })
    try {
      expect(again.node.list().links.map((l) => l.name)).toEqual(['made_by_first'])
    } finally {
      await again.close()
    }
  }, 60_000)
})
