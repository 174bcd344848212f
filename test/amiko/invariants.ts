/**
 * The ledger invariants of protocols-amiko.md §13, checked on snapshots of every node of a test
 * network — nodes in this process (`AmikoNode.snapshot()`) and `paylink node` processes alike
 * (`GET /test/snapshot`, with PAYLINK_AMIKO_TEST_HOOKS=1). One checker for every multi-node test:
 *
 * - I1 conservation: each channel side's balances plus open entries equal its capacity (the
 *   test's deposits when it says them, else the capacity at the baseline, else the peer side's);
 *   the network-wide sum of balances never changes.
 * - I2 both ends agree: each side's `amountLocal` is the peer's `amountRemote`, outgoing maps
 *   mirror the peer's incoming maps, both hold the same co-signed state, none diverged.
 * - I3 at most once: a route ID that one end of a channel settled, the other settled too (and
 *   nothing else); each node logs a payment once; each payment has one payer line and one payee
 *   line in the network; each node's balance moved by exactly its committed log lines since the
 *   baseline (the payer debited once, the payee credited once, every node between unchanged).
 * - I4 at least once: at rest no open entry, live record, timer or unfinished payer/payee, no
 *   unacknowledged link message; a lock open past its `endTime` + grace, or a timer overdue by
 *   the grace, is reported on any snapshot. The time bound itself ("within the time-out + 5 s") is
 *   the `within` of `expectLedger`: the network must come to rest by then.
 * - I5 hop safety / a revealed token never lost: a node whose record holds the token while its
 *   upstream hop is still locked has claimed it (`requestedCommit` or `committed`); one that
 *   settled its downstream hop holds the token and its upstream hop is settled or still locked;
 *   none refunds upstream while its downstream lock is unexpired; payer and payee lines of one
 *   payment agree, so a payee that released the token is paid and vice versa.
 * - I6 token binding: every token a record holds or a committed line carries hashes to its
 *   transaction ID; a cancelled line carries none (the payer does not count it committed).
 *
 * I7 (sticky terminal states) needs a history, not a snapshot: `expectLedger` compares the
 * payment log with the baseline's, whose lines must never change.
 */
import { expect } from 'vitest'
import type { AdminClient } from '../../src/amiko/admin/admin-client.ts'
import { capacity, openEntries } from '../../src/amiko/node/channel.ts'
import type { AmikoNode } from '../../src/amiko/node/node.ts'
import type {
  ChannelState,
  Hop,
  LinkState,
  NodeState,
  PaymentLogLine,
  RecordState,
} from '../../src/amiko/node/state.ts'
import { routeId, tokenMatches } from '../../src/amiko/protocol/index.ts'

/** What the checker sees of one node at one instant. */
export interface NodeView {
  name: string
  nodeKey: string
  state: NodeState
  log: PaymentLogLine[]
  /** When the snapshot was taken, Unix seconds. */
  at: number
}

/** Where the network was when the test began, to compare with. */
export interface Baseline {
  /** `node/link#index` → capacity. */
  capacities: Map<string, number>
  /** Node name → sum of its local balances. */
  totals: Map<string, number>
  /** Node name → its payment log then. */
  logs: Map<string, PaymentLogLine[]>
}

export interface CheckOptions {
  baseline?: Baseline
  /**
   * The capacity the test's deposits gave a channel (both sides' amounts together); undefined
   * when the test does not know it (then the baseline's, or the peer side's, is used).
   */
  deposit?: (node: string, link: string, index: number) => number | undefined
  /** Whether the network must be at rest (every payment over); default true. */
  atRest?: boolean
  /** Seconds a lock may stay open past its expiry, or a timer past its time (§13 "+ restart time"). */
  graceSeconds?: number
}

// ---------------------------------------------------------------- taking snapshots

/** Views of nodes running in this process. */
export async function viewsOfNodes(nodes: Record<string, AmikoNode>): Promise<NodeView[]> {
  return Promise.all(
    Object.entries(nodes).map(async ([name, node]) => ({
      name,
      nodeKey: node.nodeKey,
      state: node.snapshot(),
      log: await node.payments(),
      at: Date.now() / 1000,
    })),
  )
}

/** Views of `paylink node` processes, through their admin APIs (they run with test hooks). */
export async function viewsOfClients(clients: Record<string, AdminClient>): Promise<NodeView[]> {
  return Promise.all(
    Object.entries(clients).map(async ([name, client]) => {
      const s = await client.snapshot()
      return { name, nodeKey: s.nodeKey, state: s.state, log: s.log, at: Date.now() / 1000 }
    }),
  )
}

export function baselineOf(views: NodeView[]): Baseline {
  const capacities = new Map<string, number>()
  for (const v of views)
    for (const l of Object.values(v.state.links))
      for (const c of l.channels) capacities.set(`${v.name}/${l.name}#${c.index}`, capacity(c))
  return {
    capacities,
    totals: new Map(views.map((v) => [v.name, totalOf(v.state)])),
    logs: new Map(views.map((v) => [v.name, v.log])),
  }
}

// ---------------------------------------------------------------- the checks

/** Everything that breaks §13 in `views`; empty when all holds. */
export function ledgerProblems(views: NodeView[], o: CheckOptions = {}): string[] {
  const problems: string[] = []
  const atRest = o.atRest ?? true
  for (const v of views) {
    problems.push(...nodeProblems(v, atRest, o.graceSeconds ?? 5))
    for (const l of Object.values(v.state.links)) {
      const peer = peerLink(views, v, l)
      if (atRest && l.wire.outbox.length > 0) {
        // Whether the peer processed them (an ack lost) or never got them (never written) tells
        // the two bugs apart.
        const what = l.wire.outbox.map((e) => `${e.index} ${describeMessage(e.message)}`).join(', ')
        const seen = peer === undefined ? '' : ` (the peer processed up to ${peer.link.wire.lastReceived})`
        problems.push(`${v.name}/${l.name}: messages unacknowledged: ${what}${seen}`)
      }
      l.channels.forEach((c) => {
        const where = `${v.name}/${l.name}#${c.index}`
        problems.push(...conservation(where, c, peer?.link.channels[c.index], v.name, l.name, o))
        if (peer === undefined) {
          problems.push(`${where}: no peer link in the network`)
          return
        }
        const other = peer.link.channels[c.index]
        if (other === undefined) problems.push(`${where}: the peer has no channel ${c.index}`)
        else problems.push(...agreement(where, c, other, atRest))
      })
    }
  }
  problems.push(...logProblems(views, o.baseline))
  return problems
}

function nodeProblems(v: NodeView, atRest: boolean, grace: number): string[] {
  const out: string[] = []
  const s = v.state
  for (const t of s.timers)
    if (t.fireAt < v.at - grace)
      out.push(`${v.name}: ${t.kind} timer of ${t.target} overdue since ${t.fireAt}`)
  for (const l of Object.values(s.links))
    for (const c of l.channels)
      for (const e of openEntries(c))
        if (e.locked && e.entry.endTime !== null && e.entry.endTime < v.at - grace)
          out.push(
            `${v.name}/${l.name}#${c.index}: lock ${e.routeId} open past its expiry ${e.entry.endTime}`,
          )
  for (const r of Object.values(s.records)) {
    // I6: a record only ever stores a verified token.
    if (r.token !== null && !tokenMatches(r.token, r.transactionId))
      out.push(`${v.name}: record ${r.key} holds a token of another transaction`)
    // I5: holding the token with the upstream hop still locked means claiming it.
    const upstream = r.isPayerSide ? r.origin : r.mpSide
    if (r.token !== null && upstream?.kind === 'link' && upstream.channel !== null) {
      const c = s.links[upstream.id]?.channels[upstream.channel]
      const locked = c?.incomingLocked[routeId(r.isPayerSide, r.transactionId)] !== undefined
      if (locked && r.status !== 'requestedCommit' && r.status !== 'committed' && r.status !== 'rollingBack')
        out.push(`${v.name}: record ${r.key} holds the token, its upstream hop is locked, it is ${r.status}`)
    }
  }
  for (const r of Object.values(s.records)) out.push(...hopSafety(v, r))
  if (!atRest) return out
  if (s.timers.length > 0) out.push(`${v.name}: ${s.timers.length} timers left`)
  for (const r of Object.values(s.records))
    if (r.status !== 'committed' && r.status !== 'cancelled')
      out.push(`${v.name}: record ${r.key} ${r.status}`)
  for (const p of [...Object.values(s.payers), ...Object.values(s.payees)])
    if (p.status !== 'committed' && p.status !== 'cancelled')
      out.push(`${v.name}: payment ${p.id} ${p.status}`)
  for (const l of Object.values(s.links)) {
    for (const c of l.channels) {
      const open = openEntries(c).length
      if (open > 0) out.push(`${v.name}/${l.name}#${c.index}: ${open} open entries`)
      for (const [route, status] of Object.entries(c.done))
        if (status === 'refunded')
          out.push(`${v.name}/${l.name}#${c.index}: refund of ${route} unacknowledged`)
    }
  }
  return out
}

/**
 * I5 on one record: having settled its downstream hop, it holds the token and its upstream hop is
 * settled or still locked; it has not refunded upstream while its downstream hop is locked and
 * unexpired.
 */
function hopSafety(v: NodeView, r: RecordState): string[] {
  const out: string[] = []
  const route = routeId(r.isPayerSide, r.transactionId)
  const channelOf = (hop: Hop | null) =>
    hop?.kind === 'link' && hop.channel !== null ? v.state.links[hop.id]?.channels[hop.channel] : undefined
  const up = channelOf(r.isPayerSide ? r.origin : r.mpSide)
  const down = channelOf(r.isPayerSide ? r.mpSide : r.origin)
  if (down?.done[route] === 'settled') {
    if (r.token === null) out.push(`${v.name}: record ${r.key} settled downstream without the token`)
    if (up !== undefined && up.incomingLocked[route] === undefined && up.done[route] !== 'settled')
      out.push(`${v.name}: record ${r.key} settled downstream, its upstream hop is ${up.done[route]}`)
  }
  const held = down?.outgoingLocked[route]
  if (up?.done[route] === 'refunded' && held !== undefined && (held.endTime ?? 0) > v.at)
    out.push(`${v.name}: record ${r.key} refunded upstream while its downstream lock is unexpired`)
  return out
}

/** I1 on one channel side. */
function conservation(
  where: string,
  c: ChannelState,
  other: ChannelState | undefined,
  node: string,
  link: string,
  o: CheckOptions,
): string[] {
  const has = capacity(c)
  const expected =
    o.deposit?.(node, link, c.index) ?? o.baseline?.capacities.get(`${node}/${link}#${c.index}`)
  if (expected !== undefined)
    return has === expected ? [] : [`${where}: capacity ${has}, deposited ${expected}`]
  if (other !== undefined && capacity(other) !== has)
    return [`${where}: capacity ${has}, the peer's ${capacity(other)}`]
  return []
}

/** I2 and the per-channel half of I3, between the two sides of one channel. */
function agreement(where: string, c: ChannelState, other: ChannelState, atRest: boolean): string[] {
  const out: string[] = []
  if (c.diverged) out.push(`${where}: diverged`)
  if (atRest) {
    if (c.amountLocal !== other.amountRemote || c.amountRemote !== other.amountLocal)
      out.push(
        `${where}: ${c.amountLocal}/${c.amountRemote}, the peer sees ${other.amountRemote}/${other.amountLocal}`,
      )
    if (c.coSigned?.stateHash !== other.coSigned?.stateHash) out.push(`${where}: co-signed states differ`)
    if (c.coSigned === null) out.push(`${where}: no co-signed state`)
    if (c.status !== other.status) out.push(`${where}: ${c.status}, the peer ${other.status}`)
    for (const [mine, theirs, what] of [
      [c.outgoingReserved, other.incomingReserved, 'outgoing reserved'],
      [c.outgoingLocked, other.incomingLocked, 'outgoing locked'],
    ] as const) {
      const a = Object.keys(mine).sort().join(',')
      const b = Object.keys(theirs).sort().join(',')
      if (a !== b) out.push(`${where}: ${what} [${a}], the peer's incoming [${b}]`)
    }
  }
  // A route settled on one end must be settled on the other: anything else is money made or lost.
  for (const [routeId, status] of Object.entries(c.done)) {
    const theirs = other.done[routeId]
    if (status === 'settled' && theirs !== undefined && theirs !== 'settled' && theirs !== 'refunded')
      out.push(`${where}: route ${routeId} settled here, ${theirs} at the peer`)
    if (atRest && status === 'settled' && theirs === undefined && !(routeId in other.incomingLocked))
      out.push(`${where}: route ${routeId} settled here, unknown at the peer`)
  }
  return out
}

/** I3, I5 and I6 on the payment logs, and the balance accounting against the baseline. */
function logProblems(views: NodeView[], baseline: Baseline | undefined): string[] {
  const out: string[] = []
  const payers = new Map<string, { node: string; line: PaymentLogLine }[]>()
  const payees = new Map<string, { node: string; line: PaymentLogLine }[]>()
  for (const v of views) {
    const seen = new Set<string>()
    for (const line of v.log) {
      const key = `${line.transactionId}${line.amount < 0 ? '-' : '+'}`
      if (seen.has(key)) out.push(`${v.name}: payment ${line.transactionId} logged twice`)
      seen.add(key)
      const byTx = line.amount < 0 ? payers : payees
      byTx.set(line.transactionId, [...(byTx.get(line.transactionId) ?? []), { node: v.name, line }])
      if (
        line.state === 'committed' &&
        (line.token === null || !tokenMatches(line.token, line.transactionId))
      )
        out.push(`${v.name}: committed payment ${line.transactionId} without its token`)
      if (line.state === 'cancelled' && line.token !== null)
        out.push(`${v.name}: cancelled payment ${line.transactionId} carries a token`)
    }
    if (baseline !== undefined) out.push(...accounting(v, baseline))
  }
  for (const [tx, lines] of [...payers, ...payees]) {
    if (lines.length > 1)
      out.push(`payment ${tx}: ${lines.length} lines on one side (${lines.map((l) => l.node)})`)
  }
  for (const [tx, [payer]] of payers) {
    const payee = payees.get(tx)?.[0]
    if (payer !== undefined && payee !== undefined && payer.line.state !== payee.line.state)
      out.push(
        `payment ${tx}: payer ${payer.node} ${payer.line.state}, payee ${payee.node} ${payee.line.state} (${payee.line.reason})`,
      )
    if (payee !== undefined && payer !== undefined && -payer.line.amount !== payee.line.amount)
      out.push(`payment ${tx}: payer paid ${-payer.line.amount}, payee asked ${payee.line.amount}`)
  }
  if (baseline !== undefined) {
    const before = [...baseline.totals.values()].reduce((a, b) => a + b, 0)
    const now = views.reduce((sum, v) => sum + totalOf(v.state), 0)
    if (views.length === baseline.totals.size && before !== now)
      out.push(`the network holds ${now}, it held ${before}`)
  }
  return out
}

/** A node's balance moved by its committed lines since the baseline, and old lines never changed (I7). */
function accounting(v: NodeView, baseline: Baseline): string[] {
  const out: string[] = []
  const before = baseline.logs.get(v.name) ?? []
  before.forEach((line, i) => {
    if (JSON.stringify(v.log[i]) !== JSON.stringify(line))
      out.push(`${v.name}: payment-log line ${i} changed`)
  })
  const was = baseline.totals.get(v.name)
  if (was === undefined) return out
  const moved = v.log
    .slice(before.length)
    .reduce((sum, l) => sum + (l.state === 'committed' ? l.amount : 0), 0)
  const total = totalOf(v.state)
  if (total - was !== moved)
    out.push(`${v.name}: balance moved ${total - was}, its committed payments ${moved}`)
  return out
}

/** A queued message's class, with the inner class of a `ChannelMessage`. */
function describeMessage(m: Record<string, unknown>): string {
  const inner = (m['message'] as { _class?: unknown } | undefined)?._class
  return inner === undefined ? String(m['_class']) : `${String(m['_class'])}/${String(inner)}`
}

function totalOf(s: NodeState): number {
  let total = 0
  for (const l of Object.values(s.links)) for (const c of l.channels) total += c.amountLocal
  return total
}

/** The peer's side of link `l` of `v`: the link at the node with `l`'s remote key that points back. */
function peerLink(views: NodeView[], v: NodeView, l: LinkState): { link: LinkState } | undefined {
  const peer = views.find((p) => p.nodeKey === l.remoteKey)
  if (peer === undefined) return undefined
  const back = Object.values(peer.state.links).filter((x) => x.remoteKey === v.nodeKey)
  const link =
    back.length === 1 ? back[0] : back.find((x) => x.name === l.remote?.name || l.name === x.remote?.name)
  return link === undefined ? undefined : { link }
}

// ---------------------------------------------------------------- in tests

/**
 * Waits until the network is at rest with every invariant holding, for at most `within` ms — the
 * test's bound, "every lock resolved within time-out + 5 s" — and fails with what still breaks.
 */
export async function expectLedger(
  take: () => Promise<NodeView[]>,
  o: CheckOptions & { within?: number } = {},
): Promise<NodeView[]> {
  const end = Date.now() + (o.within ?? 20_000)
  for (;;) {
    const views = await take()
    const problems = ledgerProblems(views, o)
    if (problems.length === 0) return views
    if (Date.now() > end) {
      expect(problems, 'ledger invariants (protocols-amiko.md §13)').toEqual([])
      return views
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}
