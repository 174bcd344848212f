/**
 * `paylink demo` as a user runs it (issue 8): with no stack running it starts a temporary one;
 * with `paylink up` running in the data directory it uses that one. Either way its summary table
 * has one row per payment in the order of the script, each in the state it should end in.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPaylink, stop } from '../support/process.ts'
import { stackPortFlags, startUp } from './stack-support.ts'

interface Row {
  model: string
  amount: string
  latency: string
  finalState: string
  proof: string
}

/** The table after the `model  amount  latency  final state  proof` header: cells are 2+ spaces apart. */
function table(stdout: string): Row[] {
  const lines = stdout.split('\n')
  const header = lines.findIndex((l) => /^model +amount +latency +final state +proof$/.test(l))
  expect(header, stdout).toBeGreaterThanOrEqual(0)
  return lines
    .slice(header + 1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [model, amount, latency, finalState, proof] = l.split(/ {2,}/) as string[]
      return { model, amount, latency, finalState, proof } as Row
    })
}

function expectTheScript(rows: Row[]): void {
  expect(rows.map((r) => [r.model, r.amount])).toEqual([
    ['P4 model 1 (REST)', '1000 sat'],
    ['P4 model 2 (hybrid)', '2000 sat'],
    ['P4 model 3 (websocket)', '3000 sat'],
    ['Amiko', '500 sat'],
    ['Amiko, over capacity', '50000 sat'],
  ])
  for (const r of rows.slice(0, 3)) {
    expect(r.finalState).toBe('paid, mined')
    expect(r.proof).toMatch(/^block \d+$/)
    expect(r.latency).toMatch(/^\d+ ms$/)
  }
  expect(rows[3]?.finalState).toBe('committed')
  expect(rows[3]?.proof).toMatch(/^token [0-9a-f]{16}…$/)
  expect(rows[4]?.finalState).toBe('cancelled (AMIKO_NO_ROUTE)')
  expect(rows[4]?.proof).toBe('—')
}

const running: ChildProcessWithoutNullStreams[] = []
afterAll(async () => {
  for (const child of running) if (child.exitCode === null) await stop(child)
})

describe('paylink demo', () => {
  it('with no stack running, starts a temporary one, pays in every model and prints the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paylink-demo-none-'))
    const demo = await runPaylink(['demo', '--data', dir])
    expect(demo.stdout).toMatch(/starting a temporary stack/)
    // Not a terminal: plain progress lines, one per step, no spinner.
    expect(demo.stdout).toMatch(
      /^ok {5}P4 model 2 \(hybrid\): pay it with the wallet, wait for the ACK \(\d+ ms\)$/m,
    )
    expect(demo.stdout).not.toContain('\r')
    expectTheScript(table(demo.stdout))
    expect(demo.code, demo.stdout + demo.stderr).toBe(0)
  }, 90_000)

  it('uses the `paylink up` running in the data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paylink-demo-up-'))
    const up = await startUp(['--data', dir, ...(await stackPortFlags())])
    running.push(up.child)
    const demo = await runPaylink(['demo', '--data', dir])
    expect(demo.stdout).toMatch(/using the stack `paylink up` runs in/)
    expectTheScript(table(demo.stdout))
    expect(demo.code, demo.stdout + demo.stderr).toBe(0)
    expect(await stop(up.child)).toBe(0)
  }, 90_000)
})
