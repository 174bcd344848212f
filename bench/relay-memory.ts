/**
 * Target P4 (DESIGN.md "Targets"): memory per idle relay channel with both legs open (a merchant
 * and one customer joined, PROTOCOLS.md P4 §14.2), at most 4 × two bare idle `ws` connections.
 * Both are measured the same way, each side in a fresh Node.js process (this file, run as a child):
 * server and client sides of every socket in that process, the memory after opening them less the
 * memory before, over the number of channels (pairs of connections). Each reading follows full
 * collections and gives RSS and the JS heap plus memory held outside it (buffers).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type WebSocket from 'ws'
import { WebSocketServer } from 'ws'
import { type BenchRelay, type ChannelAnswer, connect, openBenchRelay } from './relay-throughput.ts'
import type { Benchmark, BenchReport, Figure } from './report.ts'

/**
 * The children's node flags: a callable collector, and the young generation held at 1 MiB
 * semi-spaces. V8 grows the young generation with the allocation rate, differently on each side, and
 * that growth (resident once touched) would otherwise stand in the RSS for what the sockets keep.
 */
const CHILD_FLAGS = ['--expose-gc', '--max-semi-space-size=1']
/** Channels (or pairs of bare connections) opened at a time. */
const BATCH = 25
/** Channels of the unmeasured first round of each side (lazy set-up, JIT). */
const WARMUP = 25

interface Sizes {
  channels: number
  rounds: number
}

const sizes = (quick: boolean): Sizes => (quick ? { channels: 200, rounds: 1 } : { channels: 500, rounds: 2 })

/** One reading: JS heap used plus memory outside the heap (`external`, which holds the buffers), and RSS. */
interface Memory {
  heap: number
  rss: number
  /** Whether the readings followed full collections. */
  collected?: boolean
}

/** Bytes per channel (or per pair of bare connections) in one round. */
interface Round {
  peer: Memory
  relay: Memory
}

export const relayMemory: Benchmark = {
  id: 'relay-memory',
  async run(opts) {
    const size = sizes(opts.quick)
    opts.progress(
      `${size.rounds} rounds of ${size.channels} idle channels and ${2 * size.channels} bare connections, ` +
        'each side in a fresh process',
    )
    const rounds: Round[] = []
    // Interleaved rounds, the order swapped each round: a drift in the machine hits both alike.
    for (let r = 0; r < size.rounds; r++) {
      const first = r % 2 === 0 ? 'bare' : 'relay'
      const a = await inChild(first, size.channels)
      const b = await inChild(first === 'bare' ? 'relay' : 'bare', size.channels)
      const round = first === 'bare' ? { peer: a, relay: b } : { peer: b, relay: a }
      rounds.push(round)
      opts.progress(`round ${r + 1}/${size.rounds}: ${roundLine(round)}`)
    }
    return report(
      size,
      rounds,
      rounds.every((r) => r.peer.collected && r.relay.collected),
    )
  },
}

type Side = 'bare' | 'relay'

/**
 * Measures one side in a fresh Node.js process (with `--expose-gc`, TypeScript through tsx): RSS
 * only says something about memory the process never had before, and a process that has just let
 * go of a side's sockets holds pages the other side would fill unseen.
 */
function inChild(side: Side, channels: number): Promise<Memory> {
  const file = fileURLToPath(import.meta.url)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CHILD_FLAGS, '--import', 'tsx', file, side, String(channels)], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const timer = setTimeout(() => child.kill(), 60_000)
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
    })
    child.once('error', reject)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const last = out.trim().split('\n').pop() ?? ''
      if (code !== 0 || !last.startsWith('{'))
        return reject(new Error(`${side} measurement exited ${code ?? signal}: ${out.slice(-500)}`))
      resolve(JSON.parse(last) as Memory)
    })
  })
}

/** In the child: one side's memory per channel, printed as one JSON line. */
async function measureSide(side: Side, channels: number): Promise<Memory> {
  const gc = findGc()
  const read = () => reading(gc)
  if (side === 'bare') {
    const bare = await startBare()
    try {
      await peerRound(bare, WARMUP, read)
      return { ...(await peerRound(bare, channels, read)), collected: gc !== undefined }
    } finally {
      await bare.close()
    }
  }
  const relay = await openBenchRelay(2 * channels + 16)
  try {
    const created: ChannelAnswer[] = []
    for (let i = 0; i < channels; i++) created.push(await relay.createChannel())
    await relayRound(relay, created.slice(0, WARMUP), read)
    return { ...(await relayRound(relay, created, read)), collected: gc !== undefined }
  } finally {
    await relay.close()
  }
}

/** The collector: `global.gc` under `--expose-gc`, else the same switched on through V8's flags. */
function findGc(): (() => void) | undefined {
  const exposed = globalThis.gc
  if (typeof exposed === 'function') return () => exposed()
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as unknown
    return typeof gc === 'function' ? (gc as () => void) : undefined
  } catch {
    return undefined
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Memory once the process is quiet: after full collections, or averaged after a settle delay. */
async function reading(gc: (() => void) | undefined): Promise<Memory> {
  await sleep(100)
  if (gc !== undefined) {
    for (let i = 0; i < 4; i++) {
      gc()
      await sleep(20)
    }
    const m = process.memoryUsage()
    return { heap: m.heapUsed + m.external, rss: m.rss }
  }
  await sleep(1000)
  const samples: Memory[] = []
  for (let i = 0; i < 5; i++) {
    const m = process.memoryUsage()
    samples.push({ heap: m.heapUsed + m.external, rss: m.rss })
    await sleep(100)
  }
  const mean = (pick: (m: Memory) => number) => samples.reduce((n, m) => n + pick(m), 0) / samples.length
  return { heap: mean((m) => m.heap), rss: mean((m) => m.rss) }
}

/** Memory grown between two readings, per `n`. */
function per(before: Memory, after: Memory, n: number): Memory {
  return { heap: (after.heap - before.heap) / n, rss: (after.rss - before.rss) / n }
}

/** The peer: a bare `ws` server on 127.0.0.1 that does nothing with its connections. */
async function startBare(): Promise<{ server: WebSocketServer; url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    server,
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resolve())
      }),
  }
}

/** Opens `n` pairs of bare idle connections, reads, closes them; answers the growth per pair. */
async function peerRound(
  bare: { server: WebSocketServer; url: string },
  n: number,
  read: () => Promise<Memory>,
): Promise<Memory> {
  const before = await read()
  const clients: WebSocket[] = []
  for (let i = 0; i < n; i += BATCH) {
    const batch = Math.min(BATCH, n - i)
    clients.push(...(await Promise.all(Array.from({ length: 2 * batch }, () => connect(bare.url)))))
  }
  await until(() => bare.server.clients.size === 2 * n, 'bare connections accepted')
  const after = await read()
  for (const c of clients) c.close()
  await until(
    () => bare.server.clients.size === 0 && clients.every((c) => c.readyState === c.CLOSED),
    'bare connections closed',
  )
  return per(before, after, n)
}

/** Joins a merchant and a customer to each channel, reads, closes them; answers the growth per channel. */
async function relayRound(
  relay: BenchRelay,
  channels: readonly ChannelAnswer[],
  read: () => Promise<Memory>,
): Promise<Memory> {
  const before = await read()
  const sockets: WebSocket[] = []
  for (let i = 0; i < channels.length; i += BATCH) {
    const pairs = await Promise.all(channels.slice(i, i + BATCH).map((c) => relay.pair(c)))
    for (const p of pairs) sockets.push(p.merchant, p.customer)
  }
  const live = relay.relay.hub.channels
  if (live.length !== channels.length || live.some((c) => c.merchant === undefined || c.customers.size !== 1))
    throw new Error(`the relay holds ${live.length} live channels, not ${channels.length} with both legs`)
  const after = await read()
  for (const s of sockets) s.close()
  await until(
    () => relay.relay.hub.channels.length === 0 && sockets.every((s) => s.readyState === s.CLOSED),
    'relay legs closed',
  )
  return per(before, after, channels.length)
}

async function until(test: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await sleep(10)
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

function roundLine(r: Round): string {
  return (
    `heap+external: relay ${kb(r.relay.heap)}/channel, bare ${kb(r.peer.heap)}/pair; ` +
    `RSS: relay ${kb(r.relay.rss)}/channel, bare ${kb(r.peer.rss)}/pair`
  )
}

function mean(rounds: readonly Round[], pick: (r: Round) => number): number {
  return rounds.reduce((n, r) => n + pick(r), 0) / rounds.length
}

function spread(rounds: readonly Round[], pick: (r: Round) => number): string {
  const values = rounds.map(pick)
  return `${kb(Math.min(...values))}–${kb(Math.max(...values))}`
}

function report(size: Sizes, rounds: readonly Round[], collected: boolean): BenchReport {
  const figure = (pick: (r: Round) => number, unit: string): Figure => ({ value: mean(rounds, pick), unit })
  const heapRelay = figure((r) => r.relay.heap, 'B/channel')
  const heapPeer = figure((r) => r.peer.heap, 'B/2 connections')
  const rssRelay = figure((r) => r.relay.rss, 'B/channel')
  const rssPeer = figure((r) => r.peer.rss, 'B/2 connections')
  const how = collected ? 'after full garbage collections' : 'averaged after a 1 s settle delay (no gc)'
  return {
    title: 'Idle relay channels, both legs open (target P4)',
    peer:
      'two bare idle `ws` connections to a `ws` server that does nothing with them, server and client ' +
      'sides in this process, as the relay’s merchant and customer legs are.',
    rows: [
      {
        what: `RSS per idle channel (merchant and customer joined, \`join.success\` received), ${how}`,
        figure: rssRelay,
        peer: rssPeer,
        target: 4,
        atMost: true,
        explanation: 'P4 as DESIGN.md words it: resident memory of a channel ÷ that of two bare connections',
      },
      {
        what: `JS heap used plus memory outside the heap (\`external\`: buffers) per idle channel, ${how}`,
        figure: heapRelay,
        peer: heapPeer,
        target: 4,
        atMost: true,
        explanation:
          'the same without the allocator’s slack: what the relay keeps per channel ÷ what `ws` keeps per ' +
          'connection pair',
      },
    ],
    notes: [
      `Relay: ${size.channels} channels created through the channel API before the first reading (their ` +
        'rows are in SQLite, in the OS temp directory); then a merchant (`?internal=true`) and one customer ' +
        `join each, ${BATCH} channels at a time, each socket up to its \`join.success\`, and the memory is ` +
        `read again. Peer: ${2 * size.channels} client connections to a bare \`ws\` server, opened the same ` +
        `way. Each side first opens and closes ${WARMUP} of its own, not counted, to warm up the code paths.`,
      'Each figure is (memory with the sockets open − memory before) ÷ channels, with the server and ' +
        'client side of every socket in the one process; per-IP caps (§14.7) raised for the bench, every ' +
        'socket coming from 127.0.0.1. Kernel socket buffers are in neither figure.',
      'Each side runs in its own fresh process (`node ' +
        CHILD_FLAGS.join(' ') +
        ' --import tsx bench/relay-memory.ts relay|bare N`): a process that had just let go of the other ' +
        'side’s sockets would hold resident pages that hide new allocations from the RSS. ' +
        (collected
          ? 'Readings follow four full collections (`gc()`). '
          : 'No collector could be called: each reading is the mean of five samples after a 1 s settle ' +
            'delay, so uncollected garbage counts too. ') +
        'The 1 MiB semi-spaces keep V8 from growing its young generation differently on each side; ' +
        'without them the RSS delta came out well above heap+external for the bare side (17–19 KiB against ' +
        '11 KiB) and below it for the relay (16–17 against 23), while heap+external was the same.',
      `Mean of ${size.rounds} interleaved rounds (bare, relay). Per-round spread: heap+external relay ` +
        `${spread(rounds, (r) => r.relay.heap)}, bare ${spread(rounds, (r) => r.peer.heap)}; RSS relay ` +
        `${spread(rounds, (r) => r.relay.rss)}, bare ${spread(rounds, (r) => r.peer.rss)}.`,
      'Run alone: `npm run bench -- --only relay-memory`.',
    ],
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [side, channels] = process.argv.slice(2)
  if ((side !== 'bare' && side !== 'relay') || !(Number(channels) > 0))
    throw new Error('usage: relay-memory.ts bare|relay CHANNELS')
  console.log(JSON.stringify(await measureSide(side, Number(channels))))
}
