/**
 * Fault injection (issue 6): six `paylink node` processes in a line 0-1-2-3-4-5, the meeting point
 * `Mid` on node 2, node 0 paying node 5. For each role — payer (0), intermediate (1), meeting-point
 * host (2), payee (5) — and each step of CRASH_POINTS (a Lock sent; one received, before and after
 * it is stored; the token about to be revealed; a SettleCommit sent; one received), the role's
 * process kills itself (SIGKILL) at that step and is started again on the same store. Then every
 * node must come to rest with the ledger invariants of §13 (test/amiko/invariants.ts, the checker
 * of every multi-node test): both ends of every link agree, the network's money is conserved and
 * moved only by committed payments, nothing is reserved, locked, live or timed any more, and payer
 * and payee agree on the outcome (a revealed token is never lost: a payee that released it is paid).
 * PAYLINK_AMIKO_INJECTIONS sets the injections per (role, step) (default 2, as in CI). Run with
 * `npm run test:faults`.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AdminClient } from '../../src/amiko/admin/admin-client.ts'
import { CRASH_POINTS } from '../../src/amiko/node/node.ts'
import type { PaymentLogLine } from '../../src/amiko/node/types.ts'
import { baselineOf, expectLedger, viewsOfClients } from '../amiko/invariants.ts'
import { freePort } from '../support/ports.ts'
import { startPaylink, stop } from '../support/process.ts'

const INJECTIONS = Number(process.env['PAYLINK_AMIKO_INJECTIONS'] ?? 2)
const ROLES = { payer: 0, intermediate: 1, 'meeting-point host': 2, payee: 5 } as const
/**
 * The steps each role surely goes through in a payment (the payer receives no Lock, the payee sends
 * none…). A node between payer and payee passes the token upstream only if the payer's settlement
 * (the payer has the token from the payee directly) has not reached it first: its `token-revealed`
 * may or may not come.
 */
const STEPS: Record<keyof typeof ROLES, readonly string[]> = {
  payer: ['lock-sent', 'settle-sent'],
  intermediate: ['lock-sent', 'lock-received', 'lock-stored', 'settle-sent', 'settle-received'],
  'meeting-point host': ['lock-sent', 'lock-received', 'lock-stored', 'settle-sent', 'settle-received'],
  payee: ['lock-received', 'lock-stored', 'token-revealed', 'settle-received'],
}
const MAYBE: Record<keyof typeof ROLES, readonly string[]> = {
  payer: [],
  intermediate: ['token-revealed'],
  'meeting-point host': ['token-revealed'],
  payee: [],
}
const N = 6
const root = mkdtempSync(join(tmpdir(), 'paylink-amiko-crash-'))
const dirs = Array.from({ length: N }, (_, i) => join(root, `node${i}`))
const env = { PAYLINK_AMIKO_TEST_HOOKS: '1' }
let ports: number[] = []
let mpKey = ''
const procs: (Awaited<ReturnType<typeof startPaylink>> | undefined)[] = []

function start(i: number) {
  const args = ['node', 'start', '--dir', dirs[i] as string, '--name', `n${i}`, '--port', String(ports[i])]
  const extra = i === 2 ? ['--meeting-points', 'Mid'] : ['--external-meeting-point', `Mid=${mpKey}`]
  return startPaylink(
    [...args, '--admin-port', '0', '--expiry-increment', '20', ...extra],
    /Ctrl-C stops it\.\n/,
    env,
  )
}

const client = (i: number) => AdminClient.forDir(dirs[i] as string)

beforeAll(async () => {
  ports = await Promise.all(Array.from({ length: N }, () => freePort()))
  procs[2] = await start(2)
  mpKey = /node key\s+(0[23][0-9a-f]{64})/.exec(procs[2].output())?.[1] ?? ''
  const others = await Promise.all([0, 1, 3, 4, 5].map((i) => start(i)))
  for (const [k, i] of [0, 1, 3, 4, 5].entries()) procs[i] = others[k]
  for (let i = 0; i + 1 < N; i++) {
    const { url } = await client(i + 1).makeLink(`link_to_${i}`)
    await client(i).makeLink(`link_to_${i + 1}`, url)
  }
  for (let i = 0; i + 1 < N; i++) {
    for (let t = 0; t < 100; t++) {
      if ((await client(i).list()).links.some((l) => l.name === `link_to_${i + 1}` && l.connected)) break
      await new Promise((r) => setTimeout(r, 100))
    }
    await client(i).deposit(`link_to_${i + 1}`, 100_000, 100_000)
  }
}, 120_000)

afterAll(async () => {
  for (const p of procs) if (p !== undefined) await stop(p.child)
})

/** What each channel holds: 100 000 on each side. */
const DEPOSIT = 200_000
const views = () => viewsOfClients(Object.fromEntries(dirs.map((_, i) => [String(i), client(i)])))

async function lineOf(i: number, transactionId: string): Promise<PaymentLogLine | undefined> {
  return (await client(i).payments()).find((l) => l.transactionId === transactionId)
}

describe('a node killed at each step of a payment and restarted (issue 6)', () => {
  for (const [role, index] of Object.entries(ROLES)) {
    for (const point of CRASH_POINTS) {
      it(`${role} killed at ${point}: the ledger comes to rest, conserved, payer and payee agree`, async () => {
        for (let n = 0; n < INJECTIONS; n++) {
          const baseline = baselineOf(await views())
          const before = await Promise.all(Array.from({ length: N }, (_, i) => client(i).balance()))
          const total = before.reduce((sum, b) => sum + b.total, 0)
          const request = await client(5).request(7, `crash ${role} ${point} ${n}`)
          await client(index).armCrash(point)
          const offer = await client(0).pay(request.url)
          const exited = new Promise<'crashed'>((resolve) =>
            procs[index]?.child.once('exit', () => resolve('crashed')),
          )
          const paid = client(0)
            .confirm(offer.payer, true)
            .then(() => 'paid' as const)
            .catch(() => 'lost' as const)
          // The kill may come after the payer's answer (a settle at the payee), or not at all
          // when the role never reaches that step: wait a little for it, then disarm.
          await Promise.race([exited, paid])
          const due = STEPS[role as keyof typeof ROLES].includes(point)
          await Promise.race([exited, delay(due ? 5000 : 1500)])
          const child = procs[index]?.child
          const crashed = child?.exitCode !== null || child?.signalCode !== null
          if (crashed) procs[index] = await start(index)
          else await client(index).armCrash(null)
          if (!MAYBE[role as keyof typeof ROLES].includes(point)) expect(crashed).toBe(due)
          // A restart may take a while to fire its due timers (§12.4): 60 s covers it under load.
          await expectLedger(views, { baseline, deposit: () => DEPOSIT, within: 60_000 })
          const after = await Promise.all(Array.from({ length: N }, (_, i) => client(i).balance()))
          expect(after.reduce((sum, b) => sum + b.total, 0)).toBe(total)
          const payer = await lineOf(0, request.transactionId)
          const payee = await lineOf(5, request.transactionId)
          expect(payer?.state).toBeDefined()
          expect(payee?.state).toBe(payer?.state)
          const moved = payer?.state === 'committed' ? 7 : 0
          if (moved === 0) expect(payee?.token ?? null).toBeNull()
          expect((after[0]?.total as number) - (before[0]?.total as number)).toBe(0 - moved)
          expect((after[5]?.total as number) - (before[5]?.total as number)).toBe(moved)
          await allLinksUp()
        }
      }, 180_000)
    }
  }
})

/**
 * Waits until every link is connected again. A restarted node's links come back after its peers'
 * redial back-off; a payment started before that finds no usable link and fails fast with
 * AMIKO_NO_ROUTE, so the next injection would not reach its step.
 */
async function allLinksUp(ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    const lists = await Promise.all(Array.from({ length: N }, (_, i) => client(i).list()))
    const down = lists.flatMap((s, i) =>
      s.links.filter((l) => !l.connected).map((l) => `node ${i} ${l.name}`),
    )
    if (down.length === 0) return
    if (Date.now() > end) throw new Error(`links still down after ${ms} ms: ${down.join(', ')}`)
    await delay(100)
  }
}

function delay(ms: number): Promise<'waited'> {
  return new Promise((r) => setTimeout(() => r('waited'), ms))
}
