/**
 * The ledger-invariant checker (`invariants.ts`) catches what it claims to: the snapshots of two
 * real nodes after a committed payment pass; each a copy with one invariant of §13 broken fails
 * with that invariant named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Baseline, baselineOf, ledgerProblems, type NodeView, viewsOfNodes } from './invariants.ts'
import { connect, startNode, type TestNode, until } from './support.ts'

let payer: TestNode
let payee: TestNode
let baseline: Baseline
let views: NodeView[]
const options = () => ({ baseline, deposit: () => 1000 })

beforeAll(async () => {
  payee = await startNode({ name: 'payee', meetingPoints: ['MP'] })
  payer = await startNode({ name: 'payer', settings: { externalMeetingPoints: { MP: payee.node.nodeKey } } })
  await connect({ node: payer.node, name: 'payer' }, { node: payee.node, name: 'payee' }, 1000, 0)
  const take = () => viewsOfNodes({ payer: payer.node, payee: payee.node })
  baseline = baselineOf(await take())
  const request = await payee.node.request(123, 'checked')
  const offer = await payer.node.pay(request.url)
  expect((await payer.node.confirm(offer.payer, true, 20_000)).state).toBe('committed')
  await until(() => payee.node.balance().total === 123 && payer.node.list().timers === 0)
  for (let i = 0; i < 100; i++) {
    views = await take()
    if (ledgerProblems(views, options()).length === 0) break
    await new Promise((r) => setTimeout(r, 50))
  }
}, 30_000)
afterAll(async () => {
  await payer.close()
  await payee.close()
})

/** A copy of the views with `change` applied to node `name`'s view. */
function broken(name: string, change: (v: NodeView) => void): NodeView[] {
  return views.map((v) => {
    const copy = structuredClone(v)
    if (v.name === name) change(copy)
    return copy
  })
}

const channel = (v: NodeView) => {
  const c = Object.values(v.state.links)[0]?.channels[0]
  if (c === undefined) throw new Error('no channel')
  return c
}

describe('the ledger-invariant checker', () => {
  it('passes the real network after a committed payment', () => {
    expect(ledgerProblems(views, options())).toEqual([])
  })

  it('I1: money made on one side breaks conservation and the accounting', () => {
    const problems = ledgerProblems(
      broken('payee', (v) => {
        channel(v).amountLocal += 5
      }),
      options(),
    )
    expect(problems.join('\n')).toMatch(/capacity 1005, deposited 1000/)
    expect(problems.join('\n')).toMatch(/payee: balance moved 128, its committed payments 123/)
  })

  it('I2: the ends disagree', () => {
    const problems = ledgerProblems(
      broken('payer', (v) => {
        const c = channel(v)
        c.amountLocal -= 1
        c.amountRemote += 1
      }),
      options(),
    )
    expect(problems.join('\n')).toMatch(/876\/124, the peer sees 877\/123/)
  })

  it('I3: a route settled on one end and rolled back on the other; a payment logged twice', () => {
    const routeId = Object.keys(channel(views[0] as NodeView).done)[0] as string
    const rolledBack = ledgerProblems(
      broken('payee', (v) => {
        channel(v).done[routeId] = 'rolledBack'
      }),
      options(),
    )
    expect(rolledBack.join('\n')).toMatch(/settled here, rolledBack at the peer/)
    const twice = ledgerProblems(
      broken('payer', (v) => {
        v.log.push(v.log[0] as (typeof v.log)[number])
      }),
      options(),
    )
    expect(twice.join('\n')).toMatch(/logged twice/)
  })

  it('I4: an open lock past its expiry, a timer left, a live record', () => {
    const problems = ledgerProblems(
      broken('payer', (v) => {
        channel(v).outgoingLocked['x'] = { amount: 1, startTime: null, endTime: v.at - 60 }
        channel(v).amountLocal -= 1
        v.state.timers.push({ fireAt: v.at - 60, target: 'r', kind: 'expiry' })
      }),
      options(),
    ).join('\n')
    expect(problems).toMatch(/lock x open past its expiry/)
    expect(problems).toMatch(/expiry timer of r overdue/)
    expect(problems).toMatch(/1 timers left/)
    expect(problems).toMatch(/1 open entries/)
  })

  it('I5/I6: payer and payee disagree; a cancelled line with a token; a committed one without', () => {
    const disagree = ledgerProblems(
      broken('payee', (v) => {
        const line = v.log[0] as (typeof v.log)[number]
        v.log[0] = { ...line, state: 'cancelled', token: null }
      }),
      options(),
    ).join('\n')
    expect(disagree).toMatch(/payer payer committed, payee payee cancelled/)
    const tokenless = ledgerProblems(
      broken('payer', (v) => {
        const line = v.log[0] as (typeof v.log)[number]
        v.log[0] = { ...line, token: '00'.repeat(32) }
      }),
      options(),
    ).join('\n')
    expect(tokenless).toMatch(/committed payment \S+ without its token/)
  })

  it('I7: a payment-log line of the baseline changed', () => {
    const later = {
      ...baseline,
      logs: new Map([...baseline.logs].map(([k]) => [k, views.find((v) => v.name === k)?.log ?? []])),
    }
    const problems = ledgerProblems(
      broken('payer', (v) => {
        v.log[0] = { ...(v.log[0] as (typeof v.log)[number]), receipt: 'rewritten' }
      }),
      { baseline: later, deposit: () => 1000 },
    ).join('\n')
    expect(problems).toMatch(/payment-log line 0 changed/)
  })
})
