/**
 * The failure scenarios of protocols-amiko.md §14 (the reference suite's `largenetwork_*` tests
 * and the rows of §8 without one), each on a fresh twelve-node network over TCP on loopback with
 * faults injected per node: every one ends `cancelled` for payer and payee, with every balance as
 * before and nothing left open (§13 at rest). Time-outs are shortened so each ends in seconds.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Faults, Settings } from '../../src/amiko/node/engine.ts'
import { type ReferenceNetwork, referenceNetwork } from './support.ts'

let net: ReferenceNetwork | undefined

afterEach(async () => {
  await net?.close()
  net = undefined
})

async function scenario(o: {
  faults: Record<number, Faults>
  settings?: Partial<Settings>
  nodeSettings?: Record<number, Partial<Settings>>
}) {
  net = await referenceNetwork({ settings: { routeTimeout: 1, lockTimeout: 1, ...o.settings }, ...o })
  const before = net.nodes.map((n) => n.node.balance())
  const { payer, payee } = await net.pay(0, 7, 123)
  await net.settled()
  expect(net.nodes.map((n) => n.node.balance())).toEqual(before)
  return { payer, payee }
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
    // The payer's own lock timer, or a teardown from another node's reaching it first.
    expect(payer.state).toBe('cancelled')
    expect(['AMIKO_LOCK_TIMEOUT', 'AMIKO_NO_ROUTE']).toContain(payer.reason)
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
  }, 60_000)

  it('late lock (node 2 holds the Lock 3 s, ignores HaveNoRoute): accepted, refunded, cancelled', async () => {
    const { payer, payee } = await scenario({
      faults: { 2: { delay: { Lock: 3000 }, drop: ['HaveNoRoute'] } },
      nodeSettings: { 2: { lockTimeout: 60 } },
    })
    expect(payer.state).toBe('cancelled')
    expect(payee.state).toBe('cancelled')
  }, 60_000)

  it('token withheld (Lock fails at node 7), Δ = 3 s: node 5 reclaims, refunds reach the payer', async () => {
    const { payer, payee } = await scenario({
      faults: { 7: { fail: ['Lock'] } },
      settings: { expiryIncrement: 3 },
    })
    expect(payer.state).toBe('cancelled')
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
  }, 60_000)

  it('wrong token in Commit and RequestCommit: refused, the lock stays, then reclaimed at expiry', async () => {
    const { payer, payee } = await scenario({
      faults: { 7: { wrongToken: true } },
      settings: { expiryIncrement: 3 },
    })
    expect(payer.state).toBe('cancelled')
    expect(payer.token).toBeNull()
    expect(payee).toMatchObject({ state: 'cancelled', reason: 'AMIKO_TOO_LATE' })
  }, 60_000)
})
