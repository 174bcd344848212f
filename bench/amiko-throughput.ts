/**
 * Target P6 (DESIGN.md "Targets"): Amiko payments/s with 16 in flight over 3 hops, ≥ 0.5 × 1 / (CPU
 * time per payment summed over the route). Four nodes in a line 0-1-2-3, each link one channel
 * with plenty of funds both ways, the meeting point on node 1 (bound to its key on every node);
 * node 0 pays node 3. The peer comes from the same run: a sequential run of payments timed with
 * `process.cpuUsage()`; every node runs in this process, so the process's CPU time per payment is
 * the CPU time summed over the route (payer, two intermediaries with the meeting point, payee).
 */

import type { AmikoNode } from '../src/amiko/node/node.ts'
import { atRest, checkRun, openLine, payOnce, stateBytes, totals } from './amiko-common.ts'
import type { Benchmark, BenchReport, Figure } from './report.ts'
import { Tally } from './tally.ts'

const NODES = 4
const PAYER = 0
const PAYEE = NODES - 1
const IN_FLIGHT = 16
const AMOUNT = 1

interface Sizes {
  rounds: number
  /** Sequential payments per round (the CPU-time peer). */
  sequential: number
  /** Payments per round with `IN_FLIGHT` in flight, at most, and at most `windowMs`. */
  concurrent: number
  windowMs: number
  warmup: number
}

const sizes = (quick: boolean): Sizes =>
  quick
    ? { rounds: 1, sequential: 10, concurrent: 32, windowMs: 4000, warmup: 3 }
    : { rounds: 2, sequential: 20, concurrent: 100, windowMs: 8000, warmup: 16 }

type Rated = 'cpu' | 'sequential' | 'concurrent'

export const amikoThroughput: Benchmark = {
  id: 'amiko-throughput',
  async run(opts) {
    const size = sizes(opts.quick)
    const tally = new Tally<Rated>({
      cpu: { label: '1 / CPU per payment', unit: 'payments/s' },
      sequential: { label: 'one at a time', unit: 'payments/s' },
      concurrent: { label: `${IN_FLIGHT} in flight`, unit: 'payments/s' },
    })
    opts.progress(`opening ${NODES} nodes in a line, one channel per link, meeting point in the middle`)
    const net = await openLine(NODES)
    let cpuShare = 0
    let states: number[] = []
    try {
      const payer = net.nodes[PAYER] as AmikoNode
      const payee = net.nodes[PAYEE] as AmikoNode
      opts.progress(
        `meeting point on node ${net.meetingPoint}; ${size.warmup} unmeasured payments, ${IN_FLIGHT} in flight`,
      )
      await concurrent(net.nodes, payer, payee, size.warmup, 60_000)
      let cpuSeconds = 0
      let wallSeconds = 0
      // Interleaved rounds: a change in the machine's speed during the run hits both measures alike.
      for (let r = 0; r < size.rounds; r++) {
        const before = totals(net.nodes)
        const cpu0 = process.cpuUsage()
        const started = performance.now()
        for (let i = 0; i < size.sequential; i++) await payOnce(payer, payee, AMOUNT, `seq ${i}`)
        // The last payments' settles and State acknowledgements are part of their CPU time.
        await atRest(net.nodes)
        const wall = (performance.now() - started) / 1000
        const cpu = process.cpuUsage(cpu0)
        const seconds = (cpu.user + cpu.system) / 1e6
        await checkRun(net.nodes, before, PAYER, PAYEE, size.sequential * AMOUNT)
        tally.add('cpu', size.sequential, seconds)
        tally.add('sequential', size.sequential, wall)
        cpuSeconds += seconds
        wallSeconds += wall
        const run = await concurrent(net.nodes, payer, payee, size.concurrent, size.windowMs)
        tally.add('concurrent', run.count, run.seconds)
        opts.progress(`round ${r + 1}/${size.rounds}: ${tally.roundLine(r)}`)
      }
      cpuShare = cpuSeconds / wallSeconds
      states = stateBytes(net.nodes)
    } finally {
      await net.close()
    }
    return report(size, tally, cpuShare, states)
  },
}

/**
 * `IN_FLIGHT` loops each paying one payment after another until `count` have started or `ms` has
 * passed; then every payment is checked committed and the ledger at rest and conserved. The rate
 * counts the payments over the time until the last one was confirmed.
 */
async function concurrent(
  nodes: readonly AmikoNode[],
  payer: AmikoNode,
  payee: AmikoNode,
  count: number,
  ms: number,
): Promise<{ count: number; seconds: number }> {
  const before = totals(nodes)
  let started = 0
  let done = 0
  const deadline = performance.now() + ms
  const t0 = performance.now()
  const loop = async (k: number): Promise<void> => {
    while (started < count && performance.now() < deadline) {
      started++
      await payOnce(payer, payee, AMOUNT, `flight ${k}`)
      done++
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, k) => loop(k)))
  const seconds = (performance.now() - t0) / 1000
  await checkRun(nodes, before, PAYER, PAYEE, done * AMOUNT)
  return { count: done, seconds }
}

function report(size: Sizes, tally: Tally<Rated>, cpuShare: number, states: number[]): BenchReport {
  const cpu: Figure = { value: tally.rate('cpu'), unit: 'payments/s' }
  const ms = (rate: number) => (1000 / rate).toFixed(1)
  return {
    title: 'Amiko payments over 3 hops, 16 in flight (target P6)',
    peer:
      '1 / (CPU time per payment summed over the route): the process CPU time (`process.cpuUsage()`, user + ' +
      'system) of sequential payments over the same route in the same run, ÷ their number; all four nodes run in ' +
      'this process, so that is the CPU time of payer, intermediaries, meeting point and payee together.',
    rows: [
      {
        what: `payments/s, node 0 → node 3, ${IN_FLIGHT} \`pay(url)\` + \`confirm\` loops in flight, each committed`,
        figure: { value: tally.rate('concurrent'), unit: 'payments/s' },
        peer: cpu,
        target: 0.5,
        explanation: 'P6: the CPU time per payment ÷ the wall time per payment with 16 in flight',
      },
      {
        what: 'payments/s, the same route, one at a time',
        figure: { value: tally.rate('sequential'), unit: 'payments/s' },
        peer: cpu,
        explanation: 'how much of a sequential payment is CPU (the rest: fsync waits, timers, idle loopback)',
      },
    ],
    notes: [
      `${NODES} nodes in one Node.js process (one JavaScript thread), each with its own SQLite store in the OS temp ` +
        'directory (WAL, synchronous=FULL, as `openStore` sets), on 127.0.0.1; links 0-1 1-2 2-3, one channel each ' +
        'with 100,000,000 on each side; meeting point `Middle` hosted on node 1 and bound to its key on every node. ' +
        `Node 0 pays node 3 ${AMOUNT} per payment; each payment is node 3's \`request\`, node 0's \`pay(url)\` and ` +
        '`confirm(…, true)`, which must resolve `committed`.',
      `Per round: ${size.sequential} sequential payments (CPU time and wall time until the ledger is at rest after the last), then ${IN_FLIGHT} loops in flight ` +
        `for ${size.concurrent} payments or ${size.windowMs / 1000} s, whichever ends first; ${size.rounds} rounds ` +
        `after ${size.warmup} unmeasured payments. After every run the ledger must come to rest (every channel's ends ` +
        'agree, capacities conserved, nothing reserved or locked, no live record or timer) and every node’s total ' +
        'must have moved by exactly the payments made; otherwise the run fails.',
      `CPU per payment summed over the route ${ms(cpu.value)} ms; wall time per sequential payment ` +
        `${ms(tally.rate('sequential'))} ms (the process was on the CPU ${(cpuShare * 100).toFixed(0)} % of it); with ` +
        `${IN_FLIGHT} in flight ${ms(tally.rate('concurrent'))} ms of wall time per payment. The nodes share one thread, ` +
        'so 16 in flight can at best overlap the fsync waits and idle gaps of one payment with the CPU of others; ' +
        'better-sqlite3 blocks the thread during each fsync, so those do not overlap either.',
      'Each input `structuredClone`s and `JSON.stringify`s the node’s state document and writes it whole; finished ' +
        'payments leave only compact tombstones (kept 15 days for late messages) and channel route-ID tombstones, so ' +
        `it grows slowly. Each node's state document at the end: ` +
        `${states.map((b) => (b / 1024).toFixed(0)).join('/')} KiB (nodes 0–3).`,
      `Per-round spread: ${tally.spreads()}.`,
      'Run alone: `npm run bench -- --only amiko-throughput`.',
    ],
  }
}
