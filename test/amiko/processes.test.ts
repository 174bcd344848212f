/**
 * The reference scenario of protocols-amiko.md §14 with every node its own `paylink node start`
 * process, over TCP on loopback: twelve nodes, links 0-1 1-2 2-3 2-4 2-8 8-9 4-5 5-6 5-7 5-10
 * 10-11 each holding one channel 1000/1000, meeting point `Node4` hosted on node 4 and bound to
 * its key on every node. Node 0 pays node 7 123 with receipt `receipt` through the CLI:
 * `committed`; node 0 is −123, node 7 +123, every other node unchanged; both ends of every link
 * agree; no reservation, lock, live record or timer is left anywhere: the ledger invariants of
 * §13 (`invariants.ts`, reading each process's state with PAYLINK_AMIKO_TEST_HOOKS=1).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AdminClient } from '../../src/amiko/admin/admin-client.ts'
import { runPaylink, startPaylink, stop } from '../support/process.ts'
import { type Baseline, baselineOf, expectLedger, viewsOfClients } from './invariants.ts'
import { REFERENCE_DEPOSIT, REFERENCE_LINKS } from './support.ts'

const root = mkdtempSync(join(tmpdir(), 'paylink-amiko-net-'))
const dirs = Array.from({ length: 12 }, (_, i) => join(root, `node${i}`))
const running: Awaited<ReturnType<typeof startPaylink>>[] = []
let clients: AdminClient[] = []
let baseline: Baseline
const views = () => viewsOfClients(Object.fromEntries(clients.map((c, i) => [String(i), c])))

function start(i: number, ...extra: string[]) {
  const args = [
    'node',
    'start',
    '--dir',
    dirs[i] as string,
    '--name',
    `node${i}`,
    '--port',
    '0',
    '--admin-port',
    '0',
  ]
  return startPaylink([...args, ...extra], /Ctrl-C stops it\.\n/, { PAYLINK_AMIKO_TEST_HOOKS: '1' })
}

beforeAll(async () => {
  const host = await start(4, '--meeting-points', 'Node4')
  running.push(host)
  const key = /node key\s+(0[23][0-9a-f]{64})/.exec(host.output())?.[1]
  expect(key).toBeDefined()
  const others = await Promise.all(
    [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11].map((i) => start(i, '--external-meeting-point', `Node4=${key}`)),
  )
  running.push(...others)
  clients = dirs.map((dir) => AdminClient.forDir(dir))
  for (const [a, b] of REFERENCE_LINKS) {
    const { url } = await (clients[b] as AdminClient).makeLink(`link_to_${a}`)
    await (clients[a] as AdminClient).makeLink(`link_to_${b}`, url)
  }
  for (const [a, b] of REFERENCE_LINKS) {
    const client = clients[a] as AdminClient
    for (let i = 0; i < 100; i++) {
      const state = await client.list()
      if (state.links.find((l) => l.name === `link_to_${b}`)?.connected === true) break
      await new Promise((r) => setTimeout(r, 100))
    }
    await client.deposit(`link_to_${b}`, 1000, 1000)
  }
  baseline = baselineOf(await views())
}, 180_000)

afterAll(async () => {
  for (const r of running.reverse()) await stop(r.child)
})

describe('twelve node processes (§14)', () => {
  it('node 0 pays node 7 123 with the CLI: committed, −123 and +123, every link agrees', async () => {
    const before = await Promise.all(clients.map((c) => c.balance()))
    const request = await runPaylink([
      'node',
      'request',
      '123',
      'receipt',
      '--dir',
      dirs[7] as string,
      '--json',
    ])
    expect(request.code).toBe(0)
    const { url } = JSON.parse(request.stdout) as { url: string }
    const paid = await runPaylink(['node', 'pay', url, '--yes', '--dir', dirs[0] as string])
    expect(paid.stdout).toMatch(/committed/)
    expect(paid.code).toBe(0)
    await expectLedger(views, { baseline, deposit: () => REFERENCE_DEPOSIT })
    const after = await Promise.all(clients.map((c) => c.balance()))
    expect(after.map((b, i) => b.total - (before[i]?.total as number))).toEqual([
      -123, 0, 0, 0, 0, 0, 0, 123, 0, 0, 0, 0,
    ])
    expect(after[0]?.links).toEqual({ link_to_1: { local: 877, remote: 1123 } })
    expect(after[7]?.links).toEqual({ link_to_5: { local: 1123, remote: 877 } })
  }, 60_000)
})
