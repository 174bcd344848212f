/**
 * The failure scenarios of protocols-amiko.md §8 and §14 on the twelve-node reference network with
 * every node its own `paylink node start` process (faults injected with PAYLINK_AMIKO_FAULTS under
 * PAYLINK_AMIKO_TEST_HOOKS=1): a route time-out on each half, no lock, a late lock, a withheld
 * token, a wrong token. Node 0 pays node 7 123; each ends `cancelled` for payer and payee with its
 * code, every balance as before, and the ledger invariants of §13 holding on every node within
 * the scenario's time-out + 5 s. The network is built once; each test restarts only the nodes
 * whose faults differ from what it needs (the faulty node, and the previous test's back to clean).
 *
 * Settings on every node: routeTimeout = lockTimeout = 3 s (short, yet above a route search under
 * load), Δ = 5 s so a withheld token is reclaimed in seconds.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AdminClient } from '../../src/amiko/admin/admin-client.ts'
import type { Faults } from '../../src/amiko/node/engine.ts'
import type { ChannelState } from '../../src/amiko/node/state.ts'
import type { Balance, PaymentLogLine, PayOutcome } from '../../src/amiko/node/types.ts'
import { routeId } from '../../src/amiko/protocol/index.ts'
import { freePort } from '../support/ports.ts'
import { startPaylink, stop } from '../support/process.ts'
import { baselineOf, expectLedger, viewsOfClients } from './invariants.ts'
import { REFERENCE_DEPOSIT, REFERENCE_LINKS } from './support.ts'

const ROUTE_TIMEOUT = 3
const LOCK_TIMEOUT = 3
const DELTA = 5
/** The time-outs are bounds on an idle machine; a loaded one (2 cores, many agents) gets this much more. */
const LOAD_ALLOWANCE = 2

const root = mkdtempSync(join(tmpdir(), 'paylink-amiko-failures-'))
const dirs = Array.from({ length: 12 }, (_, i) => join(root, `node${i}`))
let ports: number[] = []
let hostKey = ''

/** How a node runs: its faults and extra flags; the same twice means no restart. */
interface Setup {
  faults?: Faults
  flags?: string[]
}
const CLEAN: Setup = {}
const running: { child: Awaited<ReturnType<typeof startPaylink>>['child']; setup: string }[] = []

function start(i: number, setup: Setup) {
  const args = ['node', 'start', '--dir', dirs[i] as string, '--name', `node${i}`, '--port', String(ports[i])]
  const settings = ['--route-timeout', String(ROUTE_TIMEOUT), '--lock-timeout', String(LOCK_TIMEOUT)]
  const mp = i === 4 ? ['--meeting-points', 'Node4'] : ['--external-meeting-point', `Node4=${hostKey}`]
  const env: Record<string, string> = { PAYLINK_AMIKO_TEST_HOOKS: '1' }
  if (setup.faults !== undefined) env['PAYLINK_AMIKO_FAULTS'] = JSON.stringify(setup.faults)
  return startPaylink(
    [
      ...args,
      '--admin-port',
      '0',
      '--expiry-increment',
      String(DELTA),
      ...settings,
      ...mp,
      ...(setup.flags ?? []),
    ],
    /Ctrl-C stops it\.\n/,
    env,
  )
}

/**
 * `start`, on a fresh port when the chosen one was taken meanwhile (other suites listen too): only
 * for a first start, since the neighbours' links name the port afterwards.
 */
async function firstStart(i: number) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await start(i, CLEAN)
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE/.test(String(err))) throw err
      ports[i] = await freePort()
    }
  }
}

const client = (i: number) => AdminClient.forDir(dirs[i] as string)
const clients = () => Object.fromEntries(dirs.map((_, i) => [String(i), client(i)]))
const views = () => viewsOfClients(clients())

beforeAll(async () => {
  ports = await Promise.all(dirs.map(() => freePort()))
  const host = await firstStart(4)
  hostKey = /node key\s+(0[23][0-9a-f]{64})/.exec(host.output())?.[1] ?? ''
  expect(hostKey).not.toBe('')
  running[4] = { child: host.child, setup: '{}' }
  // A few at a time: eleven tsx start-ups at once overrun the start time-out on a loaded machine.
  const others = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]
  for (let k = 0; k < others.length; k += 3) {
    const batch = others.slice(k, k + 3)
    const started = await Promise.all(batch.map((i) => firstStart(i)))
    batch.forEach((i, j) => {
      running[i] = { child: (started[j] as (typeof started)[number]).child, setup: '{}' }
    })
  }
  for (const [a, b] of REFERENCE_LINKS) {
    const { url } = await client(b).makeLink(`link_to_${a}`)
    await client(a).makeLink(`link_to_${b}`, url)
  }
  await allConnected()
  for (const [a, b] of REFERENCE_LINKS) await client(a).deposit(`link_to_${b}`, 1000, 1000)
}, 180_000)

afterAll(async () => {
  for (const r of running) if (r !== undefined) await stop(r.child)
})

/** Every link of every node connected (after a start or a restart, peers redial within seconds). */
async function allConnected(): Promise<void> {
  for (let t = 0; t < 300; t++) {
    const states = await Promise.all(dirs.map((_, i) => client(i).list()))
    if (states.every((s) => s.links.every((l) => l.connected))) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('links not connected in 30 s')
}

/** Runs node `faulty` with `setup` and every other node clean, restarting only those that differ. */
async function network(faulty: number, setup: Setup): Promise<void> {
  const want = (i: number) => JSON.stringify(i === faulty ? setup : CLEAN)
  const changed = dirs.map((_, i) => i).filter((i) => running[i]?.setup !== want(i))
  await Promise.all(
    changed.map(async (i) => {
      await stop((running[i] as (typeof running)[number]).child)
      const restarted = await start(i, i === faulty ? setup : CLEAN)
      running[i] = { child: restarted.child, setup: want(i) }
    }),
  )
  await allConnected()
}

/**
 * Node 0 pays node 7 123 with node `faulty` running `setup`: the payer's outcome and the payee's
 * payment-log line. Then, within `bound` seconds of the payment's start (+ 5 s, times the load
 * allowance), the network must be at rest with every invariant holding and every balance as before.
 */
async function scenario(
  faulty: number,
  setup: Setup,
  bound: number,
  o: { stopped?: number } = {},
): Promise<{
  payer: PayOutcome
  payee: PaymentLogLine
  channel: (node: number, link: string) => ChannelState
}> {
  await network(faulty, setup)
  await expectLedger(views, { deposit: () => REFERENCE_DEPOSIT })
  const baseline = baselineOf(await views())
  const before = await balances()
  if (o.stopped !== undefined) await pause(o.stopped)
  const began = Date.now()
  const request = await client(7).request(123, 'receipt')
  const offer = await client(0).pay(request.url)
  const payer = await client(0).confirm(offer.payer, true)
  if (o.stopped !== undefined) await resume(o.stopped)
  const within = (bound + 5) * 1000 * LOAD_ALLOWANCE - (Date.now() - began)
  await expectLedger(views, { baseline, deposit: () => REFERENCE_DEPOSIT, within: Math.max(within, 1000) })
  expect(await balances()).toEqual(before)
  const payee = (await client(7).payments()).find((l) => l.transactionId === request.transactionId)
  expect(payee).toBeDefined()
  const after = await views()
  const channel = (node: number, link: string): ChannelState => {
    const c = after[node]?.state.links[link]?.channels[0]
    if (c === undefined) throw new Error(`node ${node} has no ${link}`)
    return c
  }
  return { payer, payee: payee as PaymentLogLine, channel }
}

/** Stops node `i` (cleanly) for the length of a payment: its links are then not usable. */
async function pause(i: number): Promise<void> {
  await stop((running[i] as (typeof running)[number]).child)
}

async function resume(i: number): Promise<void> {
  const restarted = await start(i, CLEAN)
  running[i] = { child: restarted.child, setup: JSON.stringify(CLEAN) }
  await allConnected()
}

function balances(): Promise<Balance[]> {
  return Promise.all(dirs.map((_, i) => client(i).balance()))
}

describe('Amiko failures on twelve node processes (§8, §14)', () => {
  it('route time-out on the payer half (node 2 drops every MakeRoute): torn down, cancelled', async () => {
    const { payer, payee, channel } = await scenario(2, { faults: { drop: ['MakeRoute'] } }, ROUTE_TIMEOUT)
    // Node 0's route timer fires first (it was armed first, §14); under load a HaveNoRoute from
    // node 1's teardown, or Q's Cancel (its half timed out waiting at the meeting point), may
    // overtake it.
    expect(payer).toMatchObject({ state: 'cancelled', token: null })
    expect(['AMIKO_ROUTE_TIMEOUT', 'AMIKO_NO_ROUTE', 'AMIKO_CANCELLED_BY_PAYEE']).toContain(payer.reason)
    // Q ends by P's Cancel, or by its own half's route timer (its half waits at the meeting point
    // for a payer half that never comes), whichever is first.
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
    expect(['AMIKO_CANCELLED_BY_PAYER', 'AMIKO_ROUTE_TIMEOUT', 'AMIKO_NO_ROUTE']).toContain(payee.reason)
    // Either way node 1 gave back what it had reserved towards node 2, which never reserved.
    expect(channel(1, 'link_to_2').done[routeId(true, payee.transactionId)]).toBe('released')
  }, 120_000)

  it('route time-out on the payee half (node 5 drops every MakeRoute): Q cancels, cancelled', async () => {
    const { payer, payee, channel } = await scenario(5, { faults: { drop: ['MakeRoute'] } }, ROUTE_TIMEOUT)
    // P ends by Q's Cancel, or by its own half's teardown (a route timer on the payer half, whose
    // half waits at the meeting point for a payee half that never comes), whichever is first.
    expect(payer).toMatchObject({ state: 'cancelled', token: null })
    expect(['AMIKO_CANCELLED_BY_PAYEE', 'AMIKO_NO_ROUTE', 'AMIKO_ROUTE_TIMEOUT']).toContain(payer.reason)
    // Q's route timer; but the payer half waits at the meeting point meanwhile and its timers run
    // as long (armed a moment earlier), so P may tear down first and Q end by its Cancel.
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
    expect(['AMIKO_ROUTE_TIMEOUT', 'AMIKO_NO_ROUTE', 'AMIKO_CANCELLED_BY_PAYER']).toContain(payee.reason)
    // Either way node 7 gave back what it had reserved towards node 5, which never reserved.
    expect(channel(7, 'link_to_5').done[routeId(false, payee.transactionId)]).toBe('released')
  }, 120_000)

  it('no lock (node 0 never sends its first Lock): lock timers tear both halves down', async () => {
    const { payer, payee } = await scenario(0, { faults: { noLock: true } }, LOCK_TIMEOUT)
    // Whichever lock timer fires first: the payee's half torn down makes Q cancel (§9.2: a
    // `Cancel` from Q before the first Lock ends the payer); the payer's own, or a teardown
    // reaching it, ends it directly.
    expect(payer).toMatchObject({ state: 'cancelled', token: null })
    expect(['AMIKO_CANCELLED_BY_PAYEE', 'AMIKO_LOCK_TIMEOUT', 'AMIKO_NO_ROUTE']).toContain(payer.reason)
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
    expect(['AMIKO_LOCK_TIMEOUT', 'AMIKO_NO_ROUTE', 'AMIKO_CANCELLED_BY_PAYER']).toContain(payee.reason)
  }, 120_000)

  it('late lock (node 2 holds the Lock past node 4 lock time-out): accepted, refunded, cancelled', async () => {
    // Node 2 ignores HaveNoRoute (so node 4's teardown does not reach it) and has no lock timer to
    // speak of; node 3 is down for the payment, so the payer half goes 2→4 at once (a HaveNoRoute
    // from 3, ignored, would leave the route unbuilt and the Lock never sent).
    const hold = (LOCK_TIMEOUT + 3) * 1000
    const { payer, payee, channel } = await scenario(
      2,
      { faults: { delay: { Lock: hold }, drop: ['HaveNoRoute'] }, flags: ['--lock-timeout', '600'] },
      LOCK_TIMEOUT + hold / 1000,
      { stopped: 3 },
    )
    expect(payer).toMatchObject({ state: 'cancelled', token: null })
    // Q's own lock timer, or node 4's teardown reaching it first.
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
    expect(['AMIKO_LOCK_TIMEOUT', 'AMIKO_NO_ROUTE']).toContain(payee.reason)
    // The Lock did reach node 4 after its teardown: it took it and refunded it (row 9), rather
    // than only releasing a reservation.
    const r = routeId(true, payee.transactionId)
    expect(['refunded', 'rolledBack']).toContain(channel(4, 'link_to_2').done[r])
    expect(channel(2, 'link_to_4').done[r]).toBe('rolledBack')
  }, 120_000)

  it('token withheld (Lock fails at node 7): node 5 reclaims at T+Δ, refunds reach the payer', async () => {
    const { payer, payee, channel } = await scenario(7, { faults: { fail: ['Lock'] } }, DELTA)
    // §8 row 10: the refund that reached the payer ends it as AMIKO_LOCK_EXPIRED.
    expect(payer).toMatchObject({ state: 'cancelled', token: null, reason: 'AMIKO_LOCK_EXPIRED' })
    expect(payee).toMatchObject({ state: 'cancelled', token: null })
    // Node 5 reclaimed its locked hop to 7 (the expiry), then refunded upstream hop by hop.
    const r = routeId(false, payee.transactionId)
    expect(channel(5, 'link_to_7').done[r]).toBe('rolledBack')
    // Node 7 never took the Lock: its reservation went by its own lock timer or by node 5's reclaim.
    expect(['released', 'rolledBack']).toContain(channel(7, 'link_to_5').done[r])
    expect(['refunded', 'rolledBack']).toContain(channel(5, 'link_to_4').done[r])
  }, 120_000)

  it('wrong token in Commit and RequestCommit: refused, the lock stays, reclaimed at expiry', async () => {
    const { payer, payee, channel } = await scenario(7, { faults: { wrongToken: true } }, DELTA)
    // The payer never counts it committed: no token, no committed line.
    expect(payer).toMatchObject({ state: 'cancelled', token: null, reason: 'AMIKO_LOCK_EXPIRED' })
    const payerLine = (await client(0).payments()).find((l) => l.transactionId === payee.transactionId)
    expect(payerLine).toMatchObject({ state: 'cancelled', token: null })
    expect(payee).toMatchObject({ state: 'cancelled', token: null, reason: 'AMIKO_TOO_LATE' })
    // Node 5 refused the wrong RequestCommit (no settle): the hop to 7 was reclaimed, not settled.
    const r = routeId(false, payee.transactionId)
    expect(channel(5, 'link_to_7').done[r]).toBe('rolledBack')
  }, 120_000)
})
