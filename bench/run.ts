/**
 * `npm run bench`: runs every benchmark in `bench/`, prints progress, and (re)writes
 * `docs/perf.md`. `--quick` runs smaller counts as a smoke test and writes nothing; `--only ID`
 * runs one benchmark and writes nothing either.
 */
import { writeFileSync } from 'node:fs'
import { cpus, platform, release } from 'node:os'
import { amikoLatency } from './amiko-latency.ts'
import { amikoThroughput } from './amiko-throughput.ts'
import { devnetAccept } from './devnet-accept.ts'
import { merchantE2e } from './merchant-e2e.ts'
import { merchantValidate } from './merchant-validate.ts'
import { relayCluster } from './relay-cluster.ts'
import { relayMemory } from './relay-memory.ts'
import { relayThroughput } from './relay-throughput.ts'
import {
  type Benchmark,
  type BenchReport,
  formatRate,
  type Machine,
  ratio,
  renderPerf,
  targetCell,
} from './report.ts'

const BENCHMARKS: readonly Benchmark[] = [
  merchantValidate,
  merchantE2e,
  relayThroughput,
  relayCluster,
  relayMemory,
  amikoLatency,
  amikoThroughput,
  devnetAccept,
]
const PERF_DOC = new URL('../docs/perf.md', import.meta.url)

function machine(): Machine {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    node: process.version,
    platform: `${platform()} ${release()}`,
    date: new Date().toISOString(),
  }
}

function summary(report: BenchReport): string[] {
  return report.rows.map((r) => {
    const target = r.target === undefined ? '' : ` (target ${targetCell(r)})`
    return `  ${r.what}: ${formatRate(r.figure)} vs ${formatRate(r.peer)} → ratio ${ratio(r).toFixed(2)}${target}`
  })
}

async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes('--quick')
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined
  const benchmarks = BENCHMARKS.filter((b) => only === undefined || b.id === only)
  if (benchmarks.length === 0)
    throw new Error(`no benchmark ${only}; there are ${BENCHMARKS.map((b) => b.id).join(', ')}`)
  const progress = (line: string): void => console.log(line)
  const reports: BenchReport[] = []
  const started = performance.now()
  for (const bench of benchmarks) {
    progress(`[${bench.id}] start${quick ? ' (quick)' : ''}`)
    const report = await bench.run({ quick, progress: (line) => progress(`[${bench.id}] ${line}`) })
    for (const line of summary(report)) progress(line)
    reports.push(report)
  }
  progress(`all done in ${Math.round((performance.now() - started) / 1000)} s`)
  if (quick || only !== undefined) {
    progress(`${quick ? 'quick' : 'partial'} run: docs/perf.md left as it was`)
    // A partial run's sections as a full run would render them, to paste into docs/perf.md.
    if (!quick) {
      const doc = renderPerf(machine(), reports)
      progress(`sections for docs/perf.md:\n${doc.slice(doc.indexOf('\n## ') + 1)}`)
    }
    return
  }
  writeFileSync(PERF_DOC, renderPerf(machine(), reports))
  progress('wrote docs/perf.md')
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
