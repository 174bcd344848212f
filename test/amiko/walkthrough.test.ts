/**
 * The README's Amiko walkthrough, run as written: every `$ paylink …` line of its section, in
 * order, with only what differs between runs put in — the directories (a fresh temporary one),
 * the ports (free ones), and the values each run makes anew: the shop's node key, the link URL
 * `makelink` printed, the payment URL `request` printed. What the README shows as the outcome
 * (committed; 877 left with alice) must come out, and the ledger invariants of §13 hold on both
 * nodes (the nodes run with PAYLINK_AMIKO_TEST_HOOKS=1 so the checker can read their state).
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AdminClient } from '../../src/amiko/admin/admin-client.ts'
import { freePort } from '../support/ports.ts'
import { runPaylink, startPaylink, stop } from '../support/process.ts'
import { expectLedger, viewsOfClients } from './invariants.ts'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const running: Awaited<ReturnType<typeof startPaylink>>[] = []

afterAll(async () => {
  for (const r of running.reverse()) await stop(r.child)
})

/** The `$ paylink …` lines of the README's Amiko section, split as a shell would. */
function walkthrough(): string[][] {
  const section = README.slice(README.indexOf('## Amiko payment links on a laptop'))
  const body = section.slice(0, section.indexOf('\n## ', 3))
  return body
    .split('\n')
    .filter((line) => line.startsWith('$ paylink '))
    .map((line) =>
      [...line.slice('$ paylink '.length).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]) as string),
    )
}

describe('the README walkthrough of paylink node', () => {
  it('runs as written: two nodes, a link, a deposit, a request, a payment, the balance', async () => {
    const commands = walkthrough()
    expect(commands.length).toBeGreaterThanOrEqual(8)
    const root = mkdtempSync(join(tmpdir(), 'paylink-walkthrough-'))
    const ports = new Map<string, string>()
    const made: { key?: string; link?: string; pay?: string } = {}
    const outputs: string[] = []
    const nodeDirs: string[] = []
    for (const written of commands) {
      const args: string[] = []
      for (const [i, arg] of written.entries()) {
        const prev = written[i - 1]
        if (prev === '--dir') args.push(join(root, arg))
        else if (prev === '--port' || prev === '--admin-port') {
          if (!ports.has(arg)) ports.set(arg, String(await freePort()))
          args.push(ports.get(arg) as string)
        } else if (arg.startsWith('shop=0')) args.push(`shop=${made.key}`)
        else if (arg.startsWith('amikolink://')) args.push(made.link as string)
        else if (arg.startsWith('amikopay://')) args.push(made.pay as string)
        else args.push(arg)
      }
      if (args[1] === 'start') {
        const started = await startPaylink(args, /Ctrl-C stops it\.\n/, { PAYLINK_AMIKO_TEST_HOOKS: '1' })
        running.push(started)
        nodeDirs.push(args[args.indexOf('--dir') + 1] as string)
        made.key ??= /node key\s+(0[23][0-9a-f]{64})/.exec(started.output())?.[1]
        continue
      }
      const result = await runPaylink(args)
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const first = result.stdout.split('\n')[0] as string
      if (args[1] === 'makelink') made.link = first
      if (args[1] === 'request') made.pay = first
      outputs.push(result.stdout)
    }
    expect(outputs.join('')).toMatch(/\ncommitted\n/)
    expect(outputs).toContain('to-shop  local 877  remote 123\ntotal 877 satoshis\n')
    const clients = Object.fromEntries(nodeDirs.map((dir) => [dir, AdminClient.forDir(dir)]))
    await expectLedger(() => viewsOfClients(clients))
  }, 120_000)
})
