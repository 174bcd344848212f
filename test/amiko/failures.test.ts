/**
 * The failure scenarios of protocols-amiko.md §14 (the reference suite's `largenetwork_*` tests
 * and the rows of §8 without one), each on a fresh twelve-node network over TCP on loopback with
 * faults injected per node: every one ends `cancelled` for payer and payee, with every balance as
 * before and the ledger invariants of §13 holding (`invariants.ts`). Time-outs are shortened so
 * each ends in seconds (2 s: 1 s is overrun by a route search on a loaded machine).
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Faults, Settings } from '../../src/amiko/node/engine.ts'
import type { AmikoNode } from '../../src/amiko/node/node.ts'
import type { ChannelState } from '../../src/amiko/node/state.ts'
import { routeId } from '../../src/amiko/protocol/index.ts'
import { REFERENCE_LINKS, type ReferenceNetwork, referenceNetwork } from './support.ts'

let net: ReferenceNetwork | undefined

afterEach(async () => {
  await net?.close()
  net = undefined
})

async function scenario(o: {
  faults: Record<number, Faults>
  settings?: Partial<Settings>
  nodeSettings?: Record<number, Partial<Settings>>
  links?: readonly (readonly [number, number])[]
}) {
  net = await referenceNetwork({ ...o, settings: { routeTimeout: 2, lockTimeout: 2, ...o.settings } })
  const before = net.nodes.map((n) => n.node.balance())
  const { payer, payee } = await net.pay(0, 7, 123)
  await net.settled()
  expect(net.nodes.map((n) => n.node.balance())).toEqual(before)
  const transactionId = (await (net.nodes[7] as ReferenceNetwork['nodes'][number]).node.payments()).at(-1)
    ?.transactionId as string
  /** Channel 0 of `link` at node `i`, after the payment. */
  const channel = (i: number, link: string): ChannelState =>
    (net as ReferenceNetwork).nodes[i]?.node.snapshot().links[link]?.channels[0] as ChannelState
  return { payer, payee, transactionId, channel }
}

describe('Amiko payments under failure (§8, §14)', () => {
  it('route time-out on the payer half (node 2 drops every MakeRoute): cancelled', async () => {
    const { payer, payee } = await scenario({ faults: { 2: { drop: ['MakeRoute'] } } })
    expect(payer.state).toBe('cancelled')
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
  }, 60_000)

  it('route time-out on the payee half (node 5 drops every MakeRoute): cancelled', async () => {
    const { payer, payee } = await scenario({ faults: { 5: { drop: ['MakeRoute'] } } })
    expect(payer.state).toBe('cancelled')
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
  }, 60_000)

  it('no lock (node 0 never sends its first Lock): lock timers tear down both halves', async () => {
    const { payer, payee } = await scenario({ faults: { 0: { noLock: true } } })
    // The payer's own lock timer, a teardown from another node's reaching it first, or the
    // payee's half torn down first so that Q cancels (§9.2).
    expect(payer.state).toBe('cancelled')
    expect(['AMIKO_LOCK_TIMEOUT', 'AMIKO_NO_ROUTE', 'AMIKO_CANCELLED_BY_PAYEE']).toContain(payer.reason)
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
  }, 60_000)

  it('late lock (node 2 holds the Lock 4 s, ignores HaveNoRoute): accepted, refunded, cancelled', async () => {
    // Without link 2-3: node 2 ignores HaveNoRoute, so node 3's answer to the payer half's first
    // attempt would leave the route unbuilt and the Lock never sent.
    const { payer, payee, transactionId, channel } = await scenario({
      faults: { 2: { delay: { Lock: 4000 }, drop: ['HaveNoRoute'] } },
      nodeSettings: { 2: { lockTimeout: 60 } },
      links: REFERENCE_LINKS.filter(([a, b]) => !(a === 2 && b === 3)),
    })
    expect(payer.state).toBe('cancelled')
    expect(payee.state).toBe('cancelled')
    // The Lock reached node 4 after its teardown: taken and refunded (row 9), not just released.
    const r = routeId(true, transactionId)
    expect(['refunded', 'rolledBack']).toContain(channel(4, 'link_to_2').done[r])
    expect(channel(2, 'link_to_4').done[r]).toBe('rolledBack')
  }, 60_000)

  it('token withheld (Lock fails at node 7), Δ = 3 s: node 5 reclaims, refunds reach the payer', async () => {
    const { payer, payee, transactionId, channel } = await scenario({
      faults: { 7: { fail: ['Lock'] } },
      settings: { expiryIncrement: 3 },
    })
    expect(payer).toMatchObject({ state: 'cancelled', reason: 'AMIKO_LOCK_EXPIRED' })
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
    // Node 5 reclaimed its locked hop to 7 at its expiry.
    expect(channel(5, 'link_to_7').done[routeId(false, transactionId)]).toBe('rolledBack')
  }, 60_000)

  it('wrong token in Commit and RequestCommit: refused, the lock stays, then reclaimed at expiry', async () => {
    const { payer, payee } = await scenario({
      faults: { 7: { wrongToken: true } },
      settings: { expiryIncrement: 3 },
    })
    expect(payer).toMatchObject({ state: 'cancelled', reason: 'AMIKO_LOCK_EXPIRED', token: null })
    expect(payee).toMatchObject({ state: 'cancelled', reason: 'AMIKO_TOO_LATE' })
  }, 60_000)

  it('wrong token in SettleCommit (node 5 sends one to 7): refused, the lock at 7 stays', async () => {
    // Node 5 has the right token (it passed it upstream), so the payer commits; only node 7's view
    // of the last hop is wrong, and §8 row 11 keeps it: no settle, the lock stays, nothing moves.
    // The two ends of link 5-7 now disagree by design, so no invariant check at the end.
    net = await referenceNetwork({
      faults: { 5: { wrongSettleToken: true } },
      settings: { routeTimeout: 2, lockTimeout: 2 },
    })
    const at = (i: number) => (net as ReferenceNetwork).nodes[i]?.node as AmikoNode
    const request = await at(7).request(123, 'receipt')
    const offer = await at(0).pay(request.url)
    expect(await at(0).confirm(offer.payer, true, 60_000)).toMatchObject({ state: 'committed' })
    const r = routeId(false, request.transactionId)
    const channel = (i: number, link: string) => at(i).snapshot().links[link]?.channels[0] as ChannelState
    // Node 5 settled its side when it sent the SettleCommit; wait until node 7 has handled it.
    await expect.poll(() => channel(5, 'link_to_7').done[r], { timeout: 20_000 }).toBe('settled')
    await expect
      .poll(() => at(5).snapshot().links['link_to_7']?.wire.outbox.length, { timeout: 20_000 })
      .toBe(0)
    const at7 = channel(7, 'link_to_5')
    expect(at7.incomingLocked[r]?.amount).toBe(123)
    expect(at7.done[r]).toBeUndefined()
    expect(at(7).snapshot().payees[request.paymentId]?.status).toBe('sentRequestCommit')
  }, 60_000)
})
