/**
 * The reference scenario of protocols-amiko.md §14 in one process over real TCP on loopback:
 * twelve nodes, links 0-1 1-2 2-3 2-4 2-8 8-9 4-5 5-6 5-7 5-10 10-11, each one channel 1000/1000,
 * meeting point `Node4` on node 4 and bound to its key everywhere. Node 0 pays node 7 123 with
 * receipt `receipt`: committed, −123 and +123, every other node unchanged, both ends of every link
 * agree, nothing left open. Then the no-route cases and payments in flight at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ReferenceNetwork, referenceNetwork, until } from './support.ts'

let net: ReferenceNetwork
let nodes: ReferenceNetwork['nodes']

beforeAll(async () => {
  net = await referenceNetwork()
  nodes = net.nodes
}, 60_000)
afterAll(() => net.close())

const totals = (): number[] => net.totals()
const settled = (): Promise<void> => net.settled()

async function pay(from: number, to: number, amount: number, receipt = 'receipt') {
  const request = await nodes[to]!.node.request(amount, receipt)
  const offer = await nodes[from]!.node.pay(request.url)
  const outcome = await nodes[from]!.node.confirm(offer.payer, true, 30_000)
  return { request, offer, outcome }
}

describe('the reference network (§14)', () => {
  it('node 0 pays node 7 123: committed; −123, +123; every link agrees; nothing left open', async () => {
    const before = totals()
    const { outcome, request } = await pay(0, 7, 123)
    expect(outcome.state).toBe('committed')
    expect(await nodes[7]!.node.payeeOutcome(request.paymentId, 10_000)).toMatchObject({ state: 'committed' })
    await settled()
    const after = totals()
    expect(after.map((t, i) => t - (before[i] as number))).toEqual([-123, 0, 0, 0, 0, 0, 0, 123, 0, 0, 0, 0])
    expect(nodes[0]!.node.balance().links).toEqual({ link_to_1: { local: 877, remote: 1123 } })
    expect(nodes[4]!.node.balance().links).toEqual({
      link_to_2: { local: 1123, remote: 877 },
      link_to_5: { local: 877, remote: 1123 },
    })
    const [payerLine] = await nodes[0]!.node.payments()
    expect(payerLine).toMatchObject({ amount: -123, receipt: 'receipt', state: 'committed' })
  }, 60_000)

  it('ten payments in flight at once over shared links, both directions: all committed, conserved', async () => {
    const before = totals()
    const flows: [number, number][] = [
      [0, 7],
      [0, 7],
      [0, 7],
      [7, 0],
      [7, 0],
      [7, 0],
      [9, 11],
      [11, 9],
      [3, 6],
      [6, 3],
    ]
    const outcomes = await Promise.all(flows.map(([from, to], i) => pay(from, to, 10 + i, `parallel ${i}`)))
    expect(outcomes.map((o) => o.outcome.state)).toEqual(flows.map(() => 'committed'))
    const expected = before.map(() => 0)
    flows.forEach(([from, to], i) => {
      expected[from] = (expected[from] as number) - (10 + i)
      expected[to] = (expected[to] as number) + 10 + i
    })
    await settled()
    expect(totals().map((t, i) => t - (before[i] as number))).toEqual(expected)
    expect(totals().reduce((a, b) => a + b)).toBe(before.reduce((a, b) => a + b))
  }, 60_000)

  it('no route on the payer half (channel 2-4 closed): cancelled, every balance unchanged', async () => {
    await nodes[2]!.node.withdraw('link_to_4', 0)
    await until(
      () => nodes[4]!.node.list().links.find((l) => l.name === 'link_to_2')?.channels[0]?.status === 'closed',
    )
    const before = byLink()
    const { outcome, request } = await pay(0, 7, 50)
    expect(outcome).toMatchObject({ state: 'cancelled', reason: 'AMIKO_NO_ROUTE' })
    // Cancelled, and the payee erased its token (§6.4): neither its outcome nor its log line has it.
    expect(await nodes[7]!.node.payeeOutcome(request.paymentId, 10_000)).toEqual({
      state: 'cancelled',
      reason: expect.any(String),
      token: null,
    })
    const line = (await nodes[7]!.node.payments()).find((l) => l.transactionId === request.transactionId)
    expect(line).toMatchObject({ state: 'cancelled', token: null })
    await settled()
    expect(byLink()).toEqual(before)
    // A new channel on 2-4 for the tests after this one: money the invariants' baseline must count.
    await nodes[2]!.node.deposit('link_to_4', 1000, 1000)
    await net.rebase()
    await settled()
  }, 60_000)

  it('no route on the payee half (channel 4-5 closed): cancelled, every balance unchanged', async () => {
    await nodes[4]!.node.withdraw('link_to_5', 0)
    await until(
      () => nodes[5]!.node.list().links.find((l) => l.name === 'link_to_4')?.channels[0]?.status === 'closed',
    )
    const before = byLink()
    const { outcome } = await pay(0, 7, 50)
    expect(outcome.state).toBe('cancelled')
    await settled()
    expect(byLink()).toEqual(before)
  }, 60_000)
})

function byLink() {
  return nodes.map((n) => n.node.balance())
}
