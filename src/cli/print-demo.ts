/** The summary table `paylink demo` ends with: one row per payment, columns aligned. */
import type { Writable } from 'node:stream'

export interface DemoRow {
  model: string
  satoshis: number
  /** From asking the payee's terms to the payer's answer (ACK, committed or cancelled), ms. */
  latencyMs: number | undefined
  /** e.g. `paid, mined`, `committed`, `cancelled (AMIKO_NO_ROUTE)`, `failed: …`. */
  finalState: string
  /** e.g. `block 103`, `token 6576f343…`, or `—`. */
  proof: string
  /** Whether the row ended as the demo meant it to. */
  ok: boolean
}

export const DEMO_COLUMNS = ['model', 'amount', 'latency', 'final state', 'proof'] as const

export function printDemoTable(out: Writable, rows: readonly DemoRow[]): void {
  const cells = rows.map((r) => [
    r.model,
    `${r.satoshis} sat`,
    r.latencyMs === undefined ? '—' : `${r.latencyMs} ms`,
    r.finalState,
    r.proof,
  ])
  const table = [[...DEMO_COLUMNS], ...cells]
  const widths = DEMO_COLUMNS.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)))
  for (const row of table) {
    out.write(
      `${row
        .map((cell, i) => cell.padEnd((widths[i] ?? 0) + 2))
        .join('')
        .trimEnd()}\n`,
    )
  }
}
