/**
 * A node that is down when its lock expires (issue 6): the meeting-point host M locks towards the
 * payee D and goes down; D releases the token while M is away (its `RequestCommit` waits in D's
 * outbox) and M's lock towards D falls due. When M comes back it must take D's backlog before it
 * reclaims the overdue lock: the token was revealed, so the payment commits and nobody loses.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AmikoNode } from '../../src/amiko/node/node.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { checkAtRest, connect, startNode, type TestNode, until } from './support.ts'

// Payee-half locks expire Δ after the payee made its route, the payer's lock 3Δ after.
const DELTA = 4
const open: { close(): Promise<void> }[] = []

afterEach(async () => {
  for (const n of open.splice(0).reverse()) await n.close()
})

async function hostNode(
  file: string,
  port: number,
): Promise<{ node: AmikoNode; store: Store; port: number }> {
  const store = await openStore(file)
  const node = await AmikoNode.open({
    store,
    port,
    name: 'M',
    meetingPoints: ['Mid'],
    settings: { expiryIncrement: DELTA },
  })
  const listening = await node.listen()
  return { node, store, port: listening.port }
}

describe('a node down when its lock expires (issue 6)', () => {
  it('takes the revealed token from its reconnecting peer before reclaiming the overdue lock', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'paylink-amiko-restart-')), 'm.db')
    let m = await hostNode(file, 0)
    const mp = { externalMeetingPoints: { Mid: m.node.nodeKey }, expiryIncrement: DELTA }
    const a: TestNode = await startNode({ name: 'A', settings: mp })
    // D holds each Lock a moment, so that M is gone by the time D answers it.
    const d: TestNode = await startNode({ name: 'D', settings: mp, faults: { delay: { Lock: 1500 } } })
    open.push(a, d, {
      async close() {
        await m.node.close()
        await m.store.close()
      },
    })
    await connect({ node: a.node, name: 'A' }, { node: m.node, name: 'M' })
    // D dials M: after M's restart only D's back-off brings the link back.
    await connect({ node: d.node, name: 'D' }, { node: m.node, name: 'M' })
    const before = { a: a.node.balance().total, d: d.node.balance().total }

    const request = await d.node.request(7, 'restart receipt')
    const offer = await a.node.pay(request.url)
    const paid = a.node.confirm(offer.payer, true, 60_000)
    await until(() => {
      const link = m.node.snapshot().links['link_to_D']
      return link?.channels.some((c) => Object.keys(c.outgoingLocked).length > 0) === true
    })
    await m.node.close()
    await m.store.close()
    // Down past the expiry of M's lock towards D (Δ), well before the payer's (3Δ).
    await new Promise((r) => setTimeout(r, (DELTA + 1.5) * 1000))
    m = await hostNode(file, m.port)

    expect(await paid).toMatchObject({ state: 'committed' })
    expect(await d.node.payeeOutcome(request.paymentId, 30_000)).toMatchObject({ state: 'committed' })
    await until(() => {
      try {
        checkAtRest({ A: a.node, M: m.node, D: d.node })
        return true
      } catch {
        return false
      }
    }, 20_000)
    checkAtRest({ A: a.node, M: m.node, D: d.node })
    expect(a.node.balance().total - before.a).toBe(-7)
    expect(d.node.balance().total - before.d).toBe(7)
  }, 60_000)
})
