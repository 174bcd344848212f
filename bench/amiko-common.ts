/**
 * What the Amiko benchmarks (targets P5 and P6) share: a line of nodes in this process on
 * loopback, each on its own durable SQLite store (WAL, synchronous=FULL, as `openStore` sets) in
 * a scratch directory, one channel per link with plenty of funds both ways and the meeting point
 * on a middle node; one payment; the ledger checks every measured run must pass; and the two
 * critical-path primitives (loopback round trip, durable commit).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Socket, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verifySignature as verify } from '../src/amiko/node/fast-verify.ts'
import { AmikoNode } from '../src/amiko/node/node.ts'
import { newPrivateKey, publicKeyOf, sign } from '../src/amiko/protocol/index.ts'
import { inTransaction, openStore, type Store } from '../src/store/index.ts'

/** Each side's funds on every channel: no payment run here can exhaust them. */
export const CHANNEL_FUNDS = 100_000_000

export interface AmikoLine {
  nodes: AmikoNode[]
  /** Scratch directory of the stores (also the commit-latency scratch file's). */
  dir: string
  /** Index of the node hosting the meeting point. */
  meetingPoint: number
  close(): Promise<void>
}

/** Nodes 0-1-…-(count−1) in a line, the meeting point `Middle` on node ⌊(count−1)/2⌋. */
export async function openLine(count: number): Promise<AmikoLine> {
  const dir = mkdtempSync(join(tmpdir(), 'paylink-bench-amiko-'))
  const stores: Store[] = []
  const nodes: AmikoNode[] = []
  const mp = Math.floor((count - 1) / 2)
  const close = async (): Promise<void> => {
    for (const n of nodes) await n.close()
    for (const s of stores) await s.close()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const open = async (i: number, o: Partial<Parameters<typeof AmikoNode.open>[0]>): Promise<AmikoNode> => {
      const store = await openStore(join(dir, `node${i}.db`))
      stores.push(store)
      const node = await AmikoNode.open({ store, name: String(i), port: 0, ...o })
      await node.listen()
      return node
    }
    // The meeting point's key must be known to every other node before it starts.
    const host = await open(mp, { meetingPoints: ['Middle'] })
    for (let i = 0; i < count; i++) {
      nodes.push(
        i === mp ? host : await open(i, { settings: { externalMeetingPoints: { Middle: host.nodeKey } } }),
      )
    }
    for (let i = 0; i + 1 < count; i++) await link(nodes, i, i + 1)
    await atRest(nodes, 20_000)
    return { nodes, dir, meetingPoint: mp, close }
  } catch (err) {
    await close()
    throw err
  }
}

/** Link `link_to_<b>` at `a` and `link_to_<a>` at `b`, one channel funded by both. */
async function link(nodes: readonly AmikoNode[], a: number, b: number): Promise<void> {
  const A = nodes[a] as AmikoNode
  const B = nodes[b] as AmikoNode
  const { url } = await B.makeLink(`link_to_${a}`)
  await A.makeLink(`link_to_${b}`, url)
  await until(() => A.list().links.some((l) => l.name === `link_to_${b}` && l.connected), 10_000)
  await A.deposit(`link_to_${b}`, CHANNEL_FUNDS, CHANNEL_FUNDS)
  const open = (n: AmikoNode, name: string) =>
    n.list().links.some((l) => l.name === name && l.channels.length === 1 && l.channels[0]?.status === 'open')
  await until(() => open(A, `link_to_${b}`) && open(B, `link_to_${a}`), 10_000)
}

export async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/**
 * The ledger at rest (protocols-amiko.md §13, as test/amiko/support.ts `checkAtRest`): every
 * channel's two ends agree on amounts and co-signed state, nothing is reserved or locked, no
 * record is live and no timer is left. Returns the problems (none: at rest).
 */
export function restProblems(nodes: readonly AmikoNode[]): string[] {
  const problems: string[] = []
  const snaps = nodes.map((n) => n.snapshot())
  snaps.forEach((s, i) => {
    if (s.timers.length > 0) problems.push(`${i}: ${s.timers.length} timers left`)
    for (const r of Object.values(s.records)) {
      if (r.status !== 'committed' && r.status !== 'cancelled')
        problems.push(`${i}: record ${r.key} ${r.status}`)
    }
    for (const l of Object.values(s.links)) {
      const peer = snaps[Number(l.name.replace(/^link_to_/, ''))]?.links[`link_to_${i}`]
      for (const c of l.channels) {
        const open = [c.outgoingReserved, c.incomingReserved, c.outgoingLocked, c.incomingLocked].reduce(
          (n, m) => n + Object.keys(m).length,
          0,
        )
        if (open > 0) problems.push(`${i}/${l.name}#${c.index}: ${open} open entries`)
        const other = peer?.channels[c.index]
        if (other === undefined) {
          problems.push(`${i}/${l.name}#${c.index}: no peer channel`)
          continue
        }
        if (c.amountLocal !== other.amountRemote || c.amountRemote !== other.amountLocal)
          problems.push(`${i}/${l.name}#${c.index}: ${c.amountLocal}/${c.amountRemote} vs the peer's view`)
        if (c.amountLocal + c.amountRemote !== 2 * CHANNEL_FUNDS)
          problems.push(`${i}/${l.name}#${c.index}: capacity ${c.amountLocal + c.amountRemote} not conserved`)
        if (c.coSigned?.stateHash !== other.coSigned?.stateHash)
          problems.push(`${i}/${l.name}#${c.index}: co-signed states differ`)
        if (c.diverged) problems.push(`${i}/${l.name}#${c.index}: diverged`)
      }
    }
  })
  return problems
}

/** Waits until the ledger is at rest; throws with the problems if it is not within `ms`. */
export async function atRest(nodes: readonly AmikoNode[], ms = 10_000): Promise<void> {
  try {
    await until(() => restProblems(nodes).length === 0, ms)
  } catch {
    throw new Error(`the Amiko ledger is not at rest after ${ms} ms:\n${restProblems(nodes).join('\n')}`)
  }
}

/** Every node's total (sum of its channels' local amounts). */
export const totals = (nodes: readonly AmikoNode[]): number[] => nodes.map((n) => n.balance().total)

/**
 * After a measured run: the ledger is at rest and the payer has paid, the payee received and every
 * other node kept exactly what the payments say (`moved` from `from` to `to`).
 */
export async function checkRun(
  nodes: readonly AmikoNode[],
  before: readonly number[],
  from: number,
  to: number,
  moved: number,
): Promise<void> {
  await atRest(nodes)
  const after = totals(nodes)
  const expected = before.map((t, i) => t + (i === to ? moved : 0) - (i === from ? moved : 0))
  if (after.some((t, i) => t !== expected[i]))
    throw new Error(`balances not conserved: expected ${expected.join(',')}, got ${after.join(',')}`)
}

export interface Paid {
  /** pay(url) → confirm resolved `committed`, ms. */
  ms: number
  /** pay(url) → the payee's committed state first showing the amount in its balance, ms (if seen). */
  payeeMs: number | undefined
}

/**
 * One payment of `amount` from `payer` to `payee`: the payee's request first (not timed), then
 * `pay(url)` and `confirm(…, true)`. Fails unless committed. The payee's balance is watched until
 * `afterwards` (e.g. waiting for the ledger at rest) has finished too: it can settle after the
 * payer's confirm.
 */
export async function payOnce(
  payer: AmikoNode,
  payee: AmikoNode,
  amount: number,
  receipt: string,
  afterwards?: () => Promise<void>,
): Promise<Paid> {
  const request = await payee.request(amount, receipt)
  const target = payee.balance().total + amount
  const watch = watchCommits(payee, () => payee.balance().total >= target)
  const started = performance.now()
  try {
    const offer = await payer.pay(request.url)
    if (offer.amount !== amount) throw new Error(`offer of ${offer.amount}, asked ${amount}`)
    const outcome = await payer.confirm(offer.payer, true, 30_000)
    const ms = performance.now() - started
    if (outcome.state !== 'committed') throw new Error(`payment ${outcome.state}: ${outcome.reason}`)
    await afterwards?.()
    const seen = watch.seenAt()
    return { ms, payeeMs: seen === undefined ? undefined : seen - started }
  } finally {
    watch.stop()
  }
}

/**
 * Observes `node`'s commits without touching its code: `stats.commits` is incremented right after
 * each committed input has become the node's state, so a setter on it sees every committed state.
 * Records the first time `seen()` holds after a commit.
 */
function watchCommits(node: AmikoNode, seen: () => boolean): { seenAt(): number | undefined; stop(): void } {
  const stats = node.stats
  let commits = stats.commits
  let at: number | undefined
  Object.defineProperty(stats, 'commits', {
    configurable: true,
    enumerable: true,
    get: () => commits,
    set: (v: number) => {
      commits = v
      if (at === undefined && seen()) at = performance.now()
    },
  })
  return {
    seenAt: () => at,
    stop: () => {
      Object.defineProperty(stats, 'commits', {
        configurable: true,
        enumerable: true,
        writable: true,
        value: commits,
      })
    },
  }
}

/** Sums of every node's counters: committed inputs, message lines written and read. */
export function sumStats(nodes: readonly AmikoNode[]): {
  commits: number
  linesOut: number
  linesIn: number
} {
  return nodes.reduce(
    (s, n) => ({
      commits: s.commits + n.stats.commits,
      linesOut: s.linesOut + n.stats.linesOut,
      linesIn: s.linesIn + n.stats.linesIn,
    }),
    { commits: 0, linesOut: 0, linesIn: 0 },
  )
}

/** Bytes of every node's state document (what each input serialises and writes whole). */
export const stateBytes = (nodes: readonly AmikoNode[]): number[] =>
  nodes.map((n) => Buffer.byteLength(JSON.stringify(n.snapshot())))

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[at] as number
}

/** The length of the round-trip line: about one Amiko message line. */
export const RTT_LINE_BYTES = 300

/**
 * Loopback round trips, ms each: two sockets in this process (client and the server's accepted
 * socket, both with Nagle off as `LineSocket` sets it); the client writes a `RTT_LINE_BYTES` line,
 * the server writes it back, the client waits for the newline.
 */
export async function loopbackRtts(count: number): Promise<number[]> {
  const server = createServer((s) => {
    s.setNoDelay(true)
    s.on('data', (chunk) => s.write(chunk))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const socket: Socket = tcpConnect({ host: '127.0.0.1', port })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.setNoDelay(true)
  const line = `${JSON.stringify({ index: 1, message: 'x'.repeat(RTT_LINE_BYTES - 30) })}\n`
  const samples: number[] = []
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      await new Promise<void>((resolve) => {
        let got = 0
        const onData = (chunk: Buffer): void => {
          got += chunk.length
          if (got >= line.length) {
            socket.off('data', onData)
            resolve()
          }
        }
        socket.on('data', onData)
        socket.write(line)
      })
      samples.push(performance.now() - started)
    }
  } finally {
    socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return samples
}

/**
 * Durable commits, ms each, through the store as a node commits: `openStore` (WAL,
 * synchronous=FULL) on a scratch file in `dir`, each commit one `inTransaction` updating a small
 * `amiko_state` row (a node's input writes that row, with its whole state, plus log lines).
 */
export async function storeCommits(dir: string, count: number): Promise<number[]> {
  const file = join(dir, 'commit-p50.db')
  const store = await openStore(file)
  const samples: number[] = []
  try {
    await store.db
      .insertInto('amiko_state')
      .values({ node: 'bench', json: '{}', updated_at: Date.now() })
      .execute()
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      await inTransaction(store, async (db) => {
        await db
          .updateTable('amiko_state')
          .set({ json: JSON.stringify({ i, pad: 'x'.repeat(200) }), updated_at: Date.now() })
          .where('node', '=', 'bench')
          .execute()
      })
      samples.push(performance.now() - started)
    }
  } finally {
    await store.close()
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true })
  }
  return samples
}

/** µs per signature (pure JS, `@noble/curves`, RFC 6979) and per verification (OpenSSL) as the node makes them. */
export function signVerifyUs(count: number): { sign: number; verify: number } {
  const key = newPrivateKey()
  const pub = publicKeyOf(key)
  const data = new Uint8Array(200).fill(7)
  let sig = sign(key, data)
  let started = performance.now()
  for (let i = 0; i < count; i++) sig = sign(key, data)
  const signUs = ((performance.now() - started) * 1000) / count
  started = performance.now()
  for (let i = 0; i < count; i++) if (!verify(pub, data, sig)) throw new Error('signature check failed')
  return { sign: signUs, verify: ((performance.now() - started) * 1000) / count }
}
