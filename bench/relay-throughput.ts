/**
 * Target P3 (DESIGN.md "Targets"): relay messages/s customer → relay → merchant over 50 channels,
 * ≥ 0.5 × a bare `ws` echo server's messages/s at the same concurrency. Each channel has its
 * merchant and one customer joined (PROTOCOLS.md P4 §14.2); each customer sends `payment` frames,
 * which the relay forwards to its merchant only (the merchant does not answer). The peer is a bare
 * `ws` server echoing every frame to 50 client connections. Both keep one message in flight per
 * connection: the next is sent when the previous has arrived. Relay, echo server and clients share
 * this process; everything is on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket, { WebSocketServer } from 'ws'
import { Relay } from '../src/relay/relay.ts'
import { openStore } from '../src/store/index.ts'
import type { Benchmark, BenchOptions, BenchReport, Figure } from './report.ts'
import { Tally } from './tally.ts'

const CHANNELS = 50
export const MERCHANT_KEY = 'bench-relay-merchant-key-0123456789'

export interface Sizes {
  rounds: number
  /** Each measured window, per side and round, ms. */
  windowMs: number
  /** Unmeasured traffic on each side before the rounds, ms. */
  warmupMs: number
}

export const sizes = (quick: boolean): Sizes =>
  quick ? { rounds: 1, windowMs: 500, warmupMs: 300 } : { rounds: 3, windowMs: 3000, warmupMs: 1000 }

type Rated = 'echo' | 'relay'

export const relayThroughput: Benchmark = {
  id: 'relay-throughput',
  async run(opts) {
    const size = sizes(opts.quick)
    const tally = new Tally<Rated>({
      echo: { label: 'echo', unit: 'msgs/s' },
      relay: { label: 'relay', unit: 'msgs/s' },
    })
    const relay = await openBenchRelay(4 * CHANNELS)
    const echo = await startEcho()
    try {
      opts.progress(`creating ${CHANNELS} channels, joining a merchant and a customer to each`)
      const channels: RelayPair[] = []
      for (let i = 0; i < CHANNELS; i++) channels.push(await relay.pair(await relay.createChannel()))
      const relayLegs = channels.map((c) => new Leg(c.customer, c.merchant, c.channelId))
      const echoLegs: Leg[] = []
      for (let i = 0; i < CHANNELS; i++) {
        const socket = await connect(echo.url)
        echoLegs.push(new Leg(socket, socket, ECHO_CHANNEL_ID))
      }
      await measure(tally, echoLegs, relayLegs, size, opts)
      for (const leg of [...echoLegs, ...relayLegs]) leg.done()
    } finally {
      await relay.close()
      await echo.close()
    }
    return report(size, tally)
  },
}

async function measure(
  tally: Tally<Rated>,
  echoLegs: readonly Leg[],
  relayLegs: readonly Leg[],
  size: Sizes,
  { progress }: BenchOptions,
): Promise<void> {
  await drive(echoLegs, size.warmupMs)
  await drive(relayLegs, size.warmupMs)
  progress(`warmed up for ${size.warmupMs} ms each; ${size.rounds} rounds of ${size.windowMs} ms each`)
  // Interleaved rounds: a change in the machine's speed during the run hits both alike.
  for (let r = 0; r < size.rounds; r++) {
    const echo = await drive(echoLegs, size.windowMs)
    tally.add('echo', echo.count, echo.seconds)
    const relay = await drive(relayLegs, size.windowMs)
    tally.add('relay', relay.count, relay.seconds)
    progress(`round ${r + 1}/${size.rounds}: ${tally.roundLine(r)}`)
  }
}

/** A relay on a fresh SQLite store in the OS temp directory, listening on 127.0.0.1. */
export interface BenchRelay {
  relay: Relay
  base: string
  createChannel(): Promise<ChannelAnswer>
  /** Joins the merchant, then one customer, each up to its `join.success`. */
  pair(channel: ChannelAnswer): Promise<RelayPair>
  close(): Promise<void>
}

export interface ChannelAnswer {
  channelId: string
  merchantToken: string
  customerToken: string
  wsUrl: string
}

export interface RelayPair {
  channelId: string
  merchant: WebSocket
  customer: WebSocket
}

/** Opens a relay whose per-IP caps allow `sockets` open sockets from this one address. */
export async function openBenchRelay(sockets: number): Promise<BenchRelay> {
  const dir = mkdtempSync(join(tmpdir(), 'paylink-bench-'))
  const store = await openStore(join(dir, 'relay.db'))
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  let relay: Relay
  try {
    relay = await Relay.open({
      store,
      publicUrl: base,
      merchantKeys: [MERCHANT_KEY],
      // §14.7's per-IP caps (32 sockets, 60 joins and 120 REST requests a minute) are for the
      // public; every client here is on 127.0.0.1.
      ipCaps: { sockets, joinsPerMinute: 1_000_000, restPerMinute: 1_000_000 },
    })
    await relay.listen(port)
  } catch (err) {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    relay,
    base,
    createChannel: () => createChannel(base),
    pair: async (channel) => {
      const merchant = await joinAs(`${channel.wsUrl}?internal=true&token=${channel.merchantToken}`)
      const customer = await joinAs(`${channel.wsUrl}?token=${channel.customerToken}`)
      return { channelId: channel.channelId, merchant, customer }
    },
    close: async () => {
      try {
        await relay.close()
      } finally {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

export async function createChannel(base: string): Promise<ChannelAnswer> {
  const res = await fetch(`${base}/api/v1/channels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
    body: '{}',
  })
  if (res.status !== 201) throw new Error(`channel create answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as ChannelAnswer
}

/** A ws client on `url`, resolved at its first frame, which must be `join.success`. */
export function joinAs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once('message', (data) => {
      const type = (JSON.parse(String(data)) as { type?: unknown }).type
      if (type === 'join.success') resolve(socket)
      else reject(new Error(`join: first frame ${String(type)}`))
    })
    socket.once('unexpected-response', (_req, res) => reject(new Error(`join: HTTP ${res.statusCode}`)))
    socket.once('error', reject)
  })
}

/** An open ws client on `url`. */
export function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** The peer: a bare `ws` server on 127.0.0.1 that sends every frame back as it came. */
async function startEcho(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }))
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resolve())
      }),
  }
}

/** A 1-input 2-output P2PKH transaction's size: the `payment` body carries that much hex. */
const TX_BYTES = 226
const RAW_TX = randomBytes(TX_BYTES).toString('hex')
/** The echo frames name a channel too, so both sides send frames of the same length. */
const ECHO_CHANNEL_ID = '00000000-0000-4000-8000-000000000000'
let sequence = 0

/** A customer's `payment` envelope (§14.3, §14.4) with a fresh `messageId`: what both sides send. */
function paymentFrame(channelId: string): string {
  const messageId = `bench-${(sequence++).toString().padStart(10, '0')}`
  return JSON.stringify({
    type: 'payment',
    messageId,
    correlationId: messageId,
    channelId,
    clientID: '',
    appId: 'p4',
    userId: '',
    expiration: null,
    timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    headers: { 'Content-Type': ['application/json'] },
    body: {
      merchantData: '{"paymentReference":"bench"}',
      transaction: RAW_TX,
      refundTo: null,
      memo: 'paylink bench',
    },
  })
}

/**
 * One sender and the socket its messages arrive at: the same socket for the echo, customer and
 * merchant for the relay. Any other frame, or a close, is a failure.
 */
export class Leg {
  readonly #from: WebSocket
  readonly #to: WebSocket
  readonly #channelId: string
  #onPayment: (() => void) | undefined
  #failure: ((err: Error) => void) | undefined
  #done = false

  constructor(from: WebSocket, to: WebSocket, channelId: string) {
    this.#from = from
    this.#to = to
    this.#channelId = channelId
    to.on('message', (data) => {
      const type = (JSON.parse(String(data)) as { type?: unknown }).type
      if (type === 'payment') this.#onPayment?.()
      else this.#fail(new Error(`a ${String(type)} frame arrived instead of a payment: ${String(data)}`))
    })
    if (from !== to) from.on('message', (data) => this.#fail(new Error(`the sender got ${String(data)}`)))
    for (const socket of new Set([from, to])) {
      socket.on('close', (code, reason) => {
        if (!this.#done) this.#fail(new Error(`a socket closed: ${code} ${String(reason)}`))
      })
    }
  }

  /** Sends a message each time the previous one arrives, until `stop()` says no. */
  start(arrived: () => boolean, failed: (err: Error) => void): void {
    this.#failure = failed
    this.#onPayment = () => {
      if (arrived()) this.send()
    }
    this.send()
  }

  send(): void {
    this.#from.send(paymentFrame(this.#channelId))
  }

  /** The run is over: closes the sockets, no failure. */
  done(): void {
    this.#done = true
    this.#from.close()
    this.#to.close()
  }

  #fail(err: Error): void {
    if (this.#failure === undefined) throw err
    this.#failure(err)
  }
}

/**
 * Runs every leg for `ms` with one message in flight each; counts the messages that arrive within
 * the window, then waits until the last in-flight message of each leg has arrived.
 */
export function drive(legs: readonly Leg[], ms: number): Promise<{ count: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    let count = 0
    let running = legs.length
    let failed = false
    const deadline = performance.now() + ms
    const timer = setTimeout(
      () => fail(new Error(`${running} legs still in flight 10 s after the window`)),
      ms + 10_000,
    )
    const fail = (err: Error): void => {
      if (failed) return
      failed = true
      clearTimeout(timer)
      reject(err)
    }
    const arrived = (): boolean => {
      if (failed) return false
      if (performance.now() < deadline) {
        count++
        return true
      }
      if (--running === 0) {
        clearTimeout(timer)
        resolve({ count, seconds: ms / 1000 })
      }
      return false
    }
    for (const leg of legs) leg.start(arrived, fail)
  })
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function report(size: Sizes, tally: Tally<Rated>): BenchReport {
  const echo: Figure = { value: tally.rate('echo'), unit: 'msgs/s' }
  const relay: Figure = { value: tally.rate('relay'), unit: 'msgs/s' }
  const us = (rate: number) => Math.round(1e6 / rate)
  const frameBytes = Buffer.byteLength(paymentFrame(ECHO_CHANNEL_ID))
  return {
    title: 'Relay messages customer → relay → merchant (target P3)',
    peer:
      `a bare \`ws\` server echoing every frame, ${CHANNELS} client connections in this process, ` +
      'each with one frame in flight, sending the same `payment` frames.',
    rows: [
      {
        what:
          `\`payment\` frames from ${CHANNELS} customers, each forwarded by the relay to its channel's ` +
          'merchant (envelope parsed and checked, `messageId` de-duplicated, written live)',
        figure: relay,
        peer: echo,
        target: 0.5,
        explanation: 'P3: the time of one echo round trip ÷ the time of one relayed message',
      },
    ],
    notes: [
      `${CHANNELS} channels, each with its merchant (\`?internal=true\`) and one customer joined; each ` +
        `customer sends ${frameBytes}-byte \`payment\` envelopes (all eleven keys, a P4 Payment body with a ` +
        `${TX_BYTES}-byte transaction in hex, a fresh \`messageId\` each) and sends the next when its ` +
        `merchant has received the last, so ${CHANNELS} messages are in flight; the echo clients do the ` +
        'same with their own echoes. Both count, per second, the frames that arrive (each parsed as JSON and checked ' +
        'to be a `payment`) within the window; any other frame or a close fails the run.',
      'Relay (SQLite store in the OS temp directory; live delivery touches no store), echo server and ' +
        `all ${3 * CHANNELS} client sockets share one Node.js process (one JavaScript thread), on 127.0.0.1; ` +
        'the per-IP caps (§14.7) are raised for the bench, every socket coming from one address.',
      `Per message ${us(relay.value)} µs of the one thread through the relay against ${us(echo.value)} µs ` +
        'per echo: both move a frame over two websocket hops, but the relay also parses the envelope with ' +
        'zod, fills `messageId`/`channelId`/`clientID`, looks the `messageId` up among the channel’s ' +
        'last 1000 (`LiveChannel.seenBefore`, a `Set`: it was a linear `Array.includes` when this benchmark ' +
        'was written, and the ratio was then 0.40), serialises the envelope again, and queues the delivery ' +
        "behind the channel's mutex until the write has completed.",
      `Measured in ${size.rounds} interleaved rounds of ${size.windowMs / 1000} s per side, after ` +
        `${size.warmupMs / 1000} s of unmeasured traffic on each. Per-round spread: ${tally.spreads()}.`,
      'Run alone: `npm run bench -- --only relay-throughput`.',
    ],
  }
}
