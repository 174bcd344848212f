/**
 * Rows 12 and 13 of protocols-amiko.md §8 (issue 6): a node that claims a meeting point it does not
 * own, and expiries beyond a node's maximum. Three nodes A – C – D in this process: each payment is
 * refused, ends `cancelled` on both ends with every balance as before and nothing left open.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Settings } from '../../src/amiko/node/engine.ts'
import { newPrivateKey, publicKeyOf } from '../../src/amiko/protocol/index.ts'
import { checkAtRest, connect, startNode, type TestNode, until } from './support.ts'

let nodes: TestNode[] = []

afterEach(async () => {
  for (const n of nodes.reverse()) await n.close()
  nodes = []
})

/** A pays D 7 through C, which hosts meeting point `Mid`; `mid` is the key A and D bind `Mid` to. */
async function payThroughC(o: { mid?: string; c?: Partial<Settings>; d?: Partial<Settings> }) {
  const c = await startNode({ name: 'C', meetingPoints: ['Mid'], settings: { ...o.c } })
  const bound = { externalMeetingPoints: { Mid: o.mid ?? c.node.nodeKey } }
  const a = await startNode({ name: 'A', settings: bound })
  const d = await startNode({ name: 'D', settings: { ...bound, ...o.d } })
  nodes = [a, c, d]
  await connect({ node: a.node, name: 'A' }, { node: c.node, name: 'C' })
  await connect({ node: d.node, name: 'D' }, { node: c.node, name: 'C' })
  const before = nodes.map((n) => n.node.balance().total)
  const request = await d.node.request(7, 'hostile')
  const offer = await a.node.pay(request.url)
  const payer = await a.node.confirm(offer.payer, true, 30_000)
  const payee = await d.node.payeeOutcome(request.paymentId, 30_000)
  const byName = { A: a.node, C: c.node, D: d.node }
  await until(() => {
    try {
      checkAtRest(byName)
      return true
    } catch {
      return false
    }
  }, 15_000)
  checkAtRest(byName)
  expect(nodes.map((n) => n.node.balance().total)).toEqual(before)
  return { payer, payee }
}

describe('hostile and unreasonable peers (§8 rows 12, 13)', () => {
  it('a node hosting a meeting point bound to another key: its HaveRoute is rejected, both cancelled', async () => {
    const someoneElse = publicKeyOf(newPrivateKey())
    const { payer, payee } = await payThroughC({ mid: someoneElse })
    expect(payer).toMatchObject({ state: 'cancelled', reason: 'AMIKO_MEETING_POINT_REJECTED' })
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
  }, 60_000)

  it('an expiry beyond the next node’s maximum: MakeRoute answered HaveNoRoute, both cancelled', async () => {
    // D's first hop asks for an expiry 1000 s ahead; C accepts at most 100 s.
    const { payer, payee } = await payThroughC({ c: { maxExpiry: 100 }, d: { expiryIncrement: 1000 } })
    expect(payer.state).toBe('cancelled')
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
  }, 60_000)
})
