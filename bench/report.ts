/**
 * What a benchmark reports and how `docs/perf.md` shows it: each figure beside its peer measured
 * in the same run, and their ratio (DESIGN.md "Targets": ratios, not times).
 */

/** A measured rate. */
export interface Figure {
  value: number
  unit: string
}

/** One line of a benchmark's table. */
export interface BenchRow {
  what: string
  figure: Figure
  peer: Figure
  /** The ratio DESIGN.md "Targets" asks for (at least), when the row is a target's measure. */
  target?: number
  /** The target is a ceiling (memory: at most `target` × the peer), not a floor. */
  atMost?: boolean
  /** One line: what the ratio means. */
  explanation: string
}

export interface BenchReport {
  title: string
  /** What the peer is, exactly. */
  peer: string
  rows: BenchRow[]
  /** Setup facts a reader needs to reproduce the figures (counts, concurrency). */
  notes: string[]
}

export interface BenchOptions {
  /** Smaller counts and shorter timings: a smoke run. */
  quick: boolean
  /** Prints one progress line. */
  progress: (line: string) => void
}

/** A benchmark in `bench/`. */
export interface Benchmark {
  id: string
  run(opts: BenchOptions): Promise<BenchReport>
}

export interface Machine {
  cores: number
  cpu: string
  node: string
  platform: string
  date: string
}

/** The ratio of a row: figure ÷ peer. */
export function ratio(row: BenchRow): number {
  return row.figure.value / row.peer.value
}

export function formatRate(f: Figure): string {
  return `${Math.round(f.value).toLocaleString('en-US')} ${f.unit}`
}

/** "≥ 0.50, met" / "≤ 4.00, not met", or a dash for a row that is no target's measure. */
export function targetCell(row: BenchRow): string {
  if (row.target === undefined) return '—'
  const met = row.atMost === true ? ratio(row) <= row.target : ratio(row) >= row.target
  return `${row.atMost === true ? '≤' : '≥'} ${row.target.toFixed(2)}, ${met ? 'met' : 'not met'}`
}

/** The whole of `docs/perf.md`. */
export function renderPerf(machine: Machine, reports: readonly BenchReport[]): string {
  const lines = [
    '# paylink performance',
    '',
    'Written by `npm run bench` (do not edit by hand). Each figure is measured beside its peer in the',
    'same run on the same machine; the ratio is what is compared across machines, not the times.',
    '',
    `- Command: \`npm run bench\``,
    `- Machine: ${machine.cores} cores (${machine.cpu}), ${machine.platform}, Node ${machine.node}`,
    `- Date: ${machine.date}`,
  ]
  for (const report of reports) lines.push('', ...renderReport(report))
  return `${lines.join('\n')}\n`
}

function renderReport(report: BenchReport): string[] {
  return [
    `## ${report.title}`,
    '',
    `Peer: ${report.peer}`,
    '',
    '| what | figure | peer (same run) | ratio | target | meaning |',
    '|---|---:|---:|---:|---|---|',
    ...report.rows.map(
      (r) =>
        `| ${r.what} | ${formatRate(r.figure)} | ${formatRate(r.peer)} | ${ratio(r).toFixed(2)} | ${targetCell(r)} | ${r.explanation} |`,
    ),
    '',
    ...report.notes.map((n) => `- ${n}`),
  ]
}
