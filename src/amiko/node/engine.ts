/**
 * The Amiko state machine (protocols-amiko.md §6, §9, §10): what one input does to a node's
 * state. Every function here runs inside the store transaction of one input (`Tx`): it changes
 * `tx.state`, queues messages into outboxes (`tx.send`) and arms or stops timer rows. Nothing leaves
 * the node until the transaction commits (§12.2); an `AmikoError` thrown anywhere rolls the whole
 * input back.
 *
 * A record has an origin side (where `MakeRoute` came from) and an MP side (towards the meeting
 * point). Money flows downstream: on the payer half the origin is upstream, on the payee half it is
 * downstream. So `up(rec)` is the hop money comes in on, `down(rec)` the hop it goes out on.
 */
import { sha256 } from '../../core/hash.ts'
import {
  AmikoError,
  iouStateData,
  isSideA,
  meetingPointSigningData,
  receiptSigningData,
  routeId,
  sign,
  tokenMatches,
} from '../protocol/index.ts'
import * as ch from './channel.ts'
import { verifySignature as verify } from './fast-verify.ts'
import {
  type ChannelState,
  type Entry,
  type Hop,
  type LinkState,
  type NodeState,
  type PayeeState,
  type PayerState,
  type RecordState,
  TERMINAL_RECORD,
  type TimerKind,
} from './state.ts'

export interface Settings {
  receiptTimeout: number
  requestExpiry: number
  routeTimeout: number
  lockTimeout: number
  expiryIncrement: number
  maxExpiry: number
  /** Meeting point ID → key of the node hosting it. */
  externalMeetingPoints: Record<string, string>
}

export const DEFAULT_SETTINGS: Settings = {
  receiptTimeout: 5,
  requestExpiry: 3600,
  routeTimeout: 5,
  lockTimeout: 5,
  expiryIncrement: 86_400,
  maxExpiry: 1_209_600,
  externalMeetingPoints: {},
}

/** Where a queued message goes: a neighbour link, or a pay link (payer or payee end). */
export type Target = { kind: 'link' | 'payer' | 'payee'; id: string }

/** What an input may do, besides changing `state`. */
export interface Tx {
  state: NodeState
  /** Now, Unix seconds. */
  now: number
  settings: Settings
  privateKey: string
  publicKey: string
  /** Queues `message` on the outbox of `target` (sent after commit). */
  send(target: Target, message: Record<string, unknown>): void
  /** Whether a link can carry new routes now (connected and authenticated, outbox not full). */
  usable(link: string): boolean
  /** Test hooks of this node (fault injection, §14): none in production. */
  faults?: Faults
}

/**
 * Fault injection for tests (protocols-amiko.md §14): per node, drop, delay or fail the handling
 * of a message class, keep the payer from sending its first `Lock`, or make the payee release a
 * wrong token.
 */
export interface Faults {
  /** Classes acknowledged and then ignored. */
  drop?: string[]
  /** Classes whose processing fails (rejected, nothing changes). */
  fail?: string[]
  /** Classes held this many ms before processing. */
  delay?: Record<string, number>
  noLock?: boolean
  /** The payee releases a wrong token in `Commit` and `RequestCommit`. */
  wrongToken?: boolean
  /** This node's `SettleCommit`s carry a wrong token (§8 row 11 at the receiver). */
  wrongSettleToken?: boolean
}

// ---------------------------------------------------------------- helpers

function link(tx: Tx, name: string): LinkState {
  const l = tx.state.links[name]
  if (l === undefined) throw new AmikoError('AMIKO_UNKNOWN_ID', `no link ${name}`)
  return l
}

function channelOf(tx: Tx, name: string, index: number): ChannelState {
  const c = link(tx, name).channels[index]
  if (c === undefined) throw new AmikoError('AMIKO_BAD_FIELD', `no channel ${index} on ${name}`)
  return c
}

function up(rec: RecordState): Hop | null {
  return rec.isPayerSide ? rec.origin : rec.mpSide
}

export function down(rec: RecordState): Hop | null {
  return rec.isPayerSide ? rec.mpSide : rec.origin
}

function rid(rec: RecordState): string {
  return routeId(rec.isPayerSide, rec.transactionId)
}

function arm(tx: Tx, kind: TimerKind, target: string, fireAt: number) {
  stop(tx, kind, target)
  tx.state.timers.push({ kind, target, fireAt })
}

function stop(tx: Tx, kind: TimerKind | null, target: string) {
  tx.state.timers = tx.state.timers.filter(
    (t) => !(t.target === target && (kind === null || t.kind === kind)),
  )
}

function recordKey(transactionId: string, isPayerSide: boolean, origin: Hop): string {
  return `${transactionId}/${isPayerSide ? 1 : 0}/${origin.kind}:${origin.id}`
}

/** The live record of (`transactionId`, half) whose `side` hop is link `name`. */
function findRecord(
  tx: Tx,
  transactionId: string,
  isPayerSide: boolean,
  side: 'origin' | 'mp' | 'up' | 'down',
  hop: { kind: Hop['kind']; id: string },
): RecordState | undefined {
  for (const rec of Object.values(tx.state.records)) {
    if (rec.transactionId !== transactionId || rec.isPayerSide !== isPayerSide) continue
    const h =
      side === 'origin' ? rec.origin : side === 'mp' ? rec.mpSide : side === 'up' ? up(rec) : down(rec)
    if (h !== null && h.kind === hop.kind && h.id === hop.id) return rec
  }
  return undefined
}

function hopTarget(hop: Hop): Target | null {
  return hop.kind === 'link' ? { kind: 'link', id: hop.id } : null
}

/** Is `endTime` a reasonable hop expiry now (§7)? */
function reasonable(tx: Tx, endTime: number | null): boolean {
  return endTime !== null && endTime > tx.now && endTime - tx.now <= tx.settings.maxExpiry
}

/** The key a meeting point ID is bound to (§10): ours if hosted here, else the external binding. */
export function meetingPointKey(
  tx: Pick<Tx, 'state' | 'settings' | 'publicKey'>,
  id: string,
): string | undefined {
  if (id in tx.state.meetingPoints) return tx.publicKey
  return tx.settings.externalMeetingPoints[id]
}

// ---------------------------------------------------------------- routing (§10)

/** Hop direction of the entry this node holds on `hop` of `rec`. */
function direction(rec: RecordState, hop: Hop): ch.Direction {
  return hop === up(rec) ? 'incoming' : 'outgoing'
}

/** Releases the reservation on `hop` (a link), if any. */
function releaseHop(tx: Tx, rec: RecordState, hop: Hop | null) {
  if (hop?.kind !== 'link' || hop.channel === null) return
  ch.release(channelOf(tx, hop.id, hop.channel), direction(rec, hop), rid(rec))
}

/** Starts a half at this node: from a `MakeRoute` over a link, or from a payer or payee object. */
export function startRecord(
  tx: Tx,
  o: {
    transactionId: string
    isPayerSide: boolean
    amount: number
    meetingPoint: string
    startTime: number | null
    origin: Hop
  },
): RecordState | undefined {
  const key = recordKey(o.transactionId, o.isPayerSide, o.origin)
  const old = tx.state.records[key]
  if (old !== undefined && !TERMINAL_RECORD.has(old.status))
    throw new AmikoError('AMIKO_BAD_STATE', `record ${key} exists`)
  const rec: RecordState = {
    key,
    transactionId: o.transactionId,
    isPayerSide: o.isPayerSide,
    status: 'makingRoute',
    amount: o.amount,
    meetingPoint: o.meetingPoint,
    startTime: o.startTime,
    origin: o.origin,
    mpSide: null,
    initialCandidates: [],
    remainingCandidates: [],
    token: null,
    meetingPointSignature: null,
    reason: null,
  }
  // The origin hop (§10.1): on the payer half the sender pays on it (we reserve incoming); on the
  // payee half we pay (outgoing), and say at once when we cannot.
  if (o.origin.kind === 'link' && o.origin.channel !== null) {
    const c = channelOf(tx, o.origin.id, o.origin.channel)
    const dir = o.isPayerSide ? 'incoming' : 'outgoing'
    if (!ch.canReserve(c, dir, o.amount)) return undefined
    ch.reserve(c, dir, rid(rec), { amount: o.amount, startTime: null, endTime: null })
  }
  rec.initialCandidates = candidates(tx, rec)
  rec.remainingCandidates = [...rec.initialCandidates]
  tx.state.records[key] = rec
  tryNext(tx, rec)
  return rec
}

/** Next-hop candidates (§10.2): the hosted meeting point, then links by name; no loops. */
function candidates(tx: Tx, rec: RecordState): string[] {
  const excluded = new Set<string>()
  if (rec.origin.kind === 'link') excluded.add(`link:${rec.origin.id}`)
  for (const other of Object.values(tx.state.records)) {
    if (other.transactionId !== rec.transactionId || other.isPayerSide !== rec.isPayerSide) continue
    if (other.key === rec.key) continue
    excluded.add(`${other.origin.kind}:${other.origin.id}`)
    for (const c of other.initialCandidates) excluded.add(c)
  }
  const out: string[] = []
  if (rec.meetingPoint in tx.state.meetingPoints) out.push(`meetingPoint:${rec.meetingPoint}`)
  const names = Object.keys(tx.state.links).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  for (const name of names) out.push(`link:${name}`)
  return out.filter((c) => !excluded.has(c))
}

/** The expiry the next hop of a payee-half record gets (this node's Δ added, §6.2 step 7). */
function nextExpiry(tx: Tx, rec: RecordState): number | null {
  return rec.isPayerSide || rec.origin.expiry === null
    ? null
    : rec.origin.expiry + tx.settings.expiryIncrement
}

/** Tries candidates in order until one is sent a `MakeRoute`; none left → `HaveNoRoute` (§10.5). */
function tryNext(tx: Tx, rec: RecordState) {
  const expiry = nextExpiry(tx, rec)
  while (rec.remainingCandidates.length > 0) {
    const candidate = rec.remainingCandidates.shift() as string
    if (expiry !== null && !reasonable(tx, expiry)) break
    const [kind, id] = splitCandidate(candidate)
    if (kind === 'meetingPoint') {
      rec.mpSide = { kind: 'meetingPoint', id, channel: null, expiry }
      arm(tx, 'route', rec.key, tx.now + tx.settings.routeTimeout)
      arriveAtMeetingPoint(tx, rec)
      return
    }
    if (!tx.usable(id)) continue
    const dir = rec.isPayerSide ? 'outgoing' : 'incoming'
    const c = link(tx, id).channels.find((c) => ch.canReserve(c, dir, rec.amount))
    if (c === undefined) continue
    ch.reserve(c, dir, rid(rec), { amount: rec.amount, startTime: null, endTime: null })
    rec.mpSide = { kind: 'link', id, channel: c.index, expiry }
    tx.send(
      { kind: 'link', id },
      {
        _class: 'MakeRoute',
        transactionID: rec.transactionId,
        amount: rec.amount,
        meetingPointID: rec.meetingPoint,
        isPayerSide: rec.isPayerSide,
        startTime: rec.startTime,
        endTime: expiry,
        channelIndex: c.index,
      },
    )
    arm(tx, 'route', rec.key, tx.now + tx.settings.routeTimeout)
    return
  }
  rec.mpSide = null
  fail(tx, rec, 'AMIKO_NO_ROUTE')
}

function splitCandidate(candidate: string): ['link' | 'meetingPoint', string] {
  const at = candidate.indexOf(':')
  return [candidate.slice(0, at) as 'link' | 'meetingPoint', candidate.slice(at + 1)]
}

/** A half reached meeting point `rec.mpSide` hosted here (§6.2 step 8). */
function arriveAtMeetingPoint(tx: Tx, rec: RecordState) {
  const mp = rec.meetingPoint
  const waiting = tx.state.meetingPoints[mp] as Record<
    string,
    { record: string; startTime: number | null; endTime: number | null }
  >
  const first = waiting[rec.transactionId]
  if (first === undefined) {
    waiting[rec.transactionId] = {
      record: rec.key,
      startTime: rec.startTime,
      endTime: rec.mpSide?.expiry ?? null,
    }
    return
  }
  const other = tx.state.records[first.record]
  if (other === undefined || other.isPayerSide === rec.isPayerSide || TERMINAL_RECORD.has(other.status)) {
    // The same half again (a loop), or a stale entry: this attempt has no route here.
    if (other === undefined || TERMINAL_RECORD.has(other.status)) delete waiting[rec.transactionId]
    stop(tx, 'route', rec.key)
    rec.mpSide = null
    tryNext(tx, rec)
    return
  }
  delete waiting[rec.transactionId]
  const payee = rec.isPayerSide ? other : rec
  const times = { startTime: payee.startTime, endTime: payee.mpSide?.expiry ?? null }
  const signature = sign(tx.privateKey, meetingPointSigningData(mp, rec.transactionId, rec.amount))
  haveRoute(tx, other, { ...times, meetingPointSignature: signature })
  haveRoute(tx, rec, { ...times, meetingPointSignature: signature })
}

/** `HaveRoute` reached `rec` from its MP side (§6.2 step 9). */
function haveRoute(
  tx: Tx,
  rec: RecordState,
  m: { startTime: number | null; endTime: number | null; meetingPointSignature: string | null },
) {
  if (rec.status !== 'makingRoute' || rec.mpSide === null) return
  const mpSide = rec.mpSide
  const ok = rec.isPayerSide
    ? reasonable(tx, m.endTime)
    : m.endTime === mpSide.expiry && reasonable(tx, m.endTime) && m.startTime === rec.startTime
  if (!ok) return teardown(tx, rec, 'AMIKO_EXPIRY_UNREASONABLE')
  mpSide.expiry = m.endTime
  rec.startTime = m.startTime
  rec.meetingPointSignature = m.meetingPointSignature
  rec.status = 'haveRoute'
  stop(tx, 'route', rec.key)
  arm(tx, 'lock', rec.key, tx.now + tx.settings.lockTimeout)
  const delta = tx.settings.expiryIncrement
  const back = (m.endTime as number) + (rec.isPayerSide ? delta : -delta)
  if (rec.origin.kind === 'link') {
    if (!rec.isPayerSide && back !== rec.origin.expiry) return teardown(tx, rec, 'AMIKO_EXPIRY_UNREASONABLE')
    rec.origin.expiry = back
    tx.send(
      { kind: 'link', id: rec.origin.id },
      {
        _class: 'HaveRoute',
        transactionID: rec.transactionId,
        isPayerSide: rec.isPayerSide,
        startTime: m.startTime,
        endTime: back,
        ...(m.meetingPointSignature === null ? {} : { meetingPointSignature: m.meetingPointSignature }),
      },
    )
    return
  }
  rec.origin.expiry = back
  if (!meetingPointSigned(tx, rec)) return teardown(tx, rec, 'AMIKO_MEETING_POINT_REJECTED')
  if (rec.origin.kind === 'payer') payerRouteReady(tx, rec.origin.id, 'payer')
  else if (rec.origin.kind === 'payee') payeeRouteReady(tx, rec.origin.id)
}

/** The ends verify the meeting point's signature against its bound key (§5, §8 row 12). */
function meetingPointSigned(tx: Tx, rec: RecordState): boolean {
  const key = meetingPointKey(tx, rec.meetingPoint)
  if (key === undefined || rec.meetingPointSignature === null) return false
  return verify(
    key,
    meetingPointSigningData(rec.meetingPoint, rec.transactionId, rec.amount),
    rec.meetingPointSignature,
  )
}

/** The record ends without a route: release its hops, `HaveNoRoute` to its origin. */
function fail(tx: Tx, rec: RecordState, reason: string) {
  releaseHop(tx, rec, rec.origin)
  rec.status = 'cancelled'
  rec.reason = reason
  stop(tx, null, rec.key)
  noRouteTo(tx, rec, rec.origin)
}

/** Teardown (§8): `HaveNoRoute` towards the origin and `CancelRoute` towards the meeting point. */
function teardown(tx: Tx, rec: RecordState, reason: string) {
  if (TERMINAL_RECORD.has(rec.status)) return
  const mpSide = rec.mpSide
  // Ended first: at a meeting point the other half tears down too, and back to us.
  rec.status = 'cancelled'
  releaseHop(tx, rec, mpSide)
  if (mpSide !== null) cancelRouteTo(tx, rec, mpSide)
  fail(tx, rec, reason)
}

function noRouteTo(tx: Tx, rec: RecordState, hop: Hop) {
  const target = hopTarget(hop)
  if (target !== null) {
    tx.send(target, { _class: 'HaveNoRoute', transactionID: rec.transactionId, isPayerSide: rec.isPayerSide })
  } else if (hop.kind === 'payer') payerHalfFailed(tx, hop.id, rec.reason ?? 'AMIKO_NO_ROUTE')
  else if (hop.kind === 'payee') payeeHalfFailed(tx, hop.id, rec.reason ?? 'AMIKO_NO_ROUTE')
  else if (hop.kind === 'meetingPoint')
    otherHalfAtMeetingPoint(tx, rec, (other) => teardown(tx, other, 'AMIKO_NO_ROUTE'))
}

/**
 * Our up hop is gone before any lock (the upstream party gave it up): release the down hop, tell
 * it (`CancelRoute` towards the meeting point, `HaveNoRoute` back towards the payee), and end.
 */
function abandonDown(tx: Tx, rec: RecordState, reason: string): void {
  const other = down(rec)
  releaseHop(tx, rec, other)
  if (other !== null) (rec.isPayerSide ? cancelRouteTo : noRouteTo)(tx, rec, other)
  rec.status = 'cancelled'
  rec.reason = reason
  stop(tx, null, rec.key)
}

function cancelRouteTo(tx: Tx, rec: RecordState, hop: Hop) {
  const target = hopTarget(hop)
  if (target !== null) {
    tx.send(target, { _class: 'CancelRoute', transactionID: rec.transactionId, isPayerSide: rec.isPayerSide })
  } else if (hop.kind === 'meetingPoint') {
    const waiting = tx.state.meetingPoints[hop.id]
    if (waiting?.[rec.transactionId]?.record === rec.key) delete waiting[rec.transactionId]
    else otherHalfAtMeetingPoint(tx, rec, (other) => teardown(tx, other, 'AMIKO_NO_ROUTE'))
  }
}

/** Calls `fn` with the other half's record at this meeting point, if it is live. */
function otherHalfAtMeetingPoint(tx: Tx, rec: RecordState, fn: (other: RecordState) => void) {
  for (const other of Object.values(tx.state.records)) {
    if (other.transactionId !== rec.transactionId || other.isPayerSide === rec.isPayerSide) continue
    if (other.mpSide?.kind !== 'meetingPoint' || TERMINAL_RECORD.has(other.status)) continue
    fn(other)
  }
}

// ---------------------------------------------------------------- network messages (§5)

type Msg = Record<string, unknown> & { _class: string }

const num = (v: unknown): number => v as number
const str = (v: unknown): string => v as string
const time = (v: unknown): number | null => (v === null || v === undefined ? null : (v as number))

/** Processes one network message received on link `name` (already parsed and validated). */
export function onLinkMessage(tx: Tx, name: string, m: Msg) {
  const l = link(tx, name)
  const from = { kind: 'link' as const, id: name }
  switch (m._class) {
    case 'Deposit':
      return onDeposit(l, num(m['channelIndex']), str(m['channelClass']))
    case 'ChannelMessage':
      return onChannelMessage(tx, l, num(m['channelIndex']), m['message'] as Msg)
    case 'MakeRoute': {
      const isPayerSide = m['isPayerSide'] === true
      const endTime = time(m['endTime'])
      const origin: Hop = { kind: 'link', id: name, channel: num(m['channelIndex']), expiry: endTime }
      const transactionId = str(m['transactionID'])
      if (!isPayerSide && !reasonable(tx, endTime)) {
        // Only the payee half reserves on our side of the origin hop; nothing to release.
        tx.send(from, { _class: 'HaveNoRoute', transactionID: transactionId, isPayerSide })
        return
      }
      const rec = startRecord(tx, {
        transactionId,
        isPayerSide,
        amount: num(m['amount']),
        meetingPoint: str(m['meetingPointID']),
        startTime: time(m['startTime']),
        origin,
      })
      if (rec === undefined)
        tx.send(from, { _class: 'HaveNoRoute', transactionID: transactionId, isPayerSide })
      return
    }
    case 'HaveRoute': {
      const rec = findRecord(tx, str(m['transactionID']), m['isPayerSide'] === true, 'mp', from)
      if (rec === undefined) return
      return haveRoute(tx, rec, {
        startTime: time(m['startTime']),
        endTime: time(m['endTime']),
        meetingPointSignature:
          typeof m['meetingPointSignature'] === 'string' ? m['meetingPointSignature'] : null,
      })
    }
    case 'HaveNoRoute': {
      const rec = findRecord(tx, str(m['transactionID']), m['isPayerSide'] === true, 'mp', from)
      if (rec === undefined) return
      if (rec.status === 'makingRoute') {
        releaseHop(tx, rec, rec.mpSide)
        stop(tx, 'route', rec.key)
        rec.mpSide = null
        return tryNext(tx, rec)
      }
      if (rec.status === 'haveRoute') {
        releaseHop(tx, rec, rec.mpSide)
        rec.mpSide = null
        return fail(tx, rec, 'AMIKO_NO_ROUTE')
      }
      return
    }
    case 'CancelRoute': {
      const rec = findRecord(tx, str(m['transactionID']), m['isPayerSide'] === true, 'origin', from)
      if (rec === undefined) return
      return cancelRoute(tx, rec)
    }
    case 'Lock': {
      const transactionId = str(m['transactionID'])
      const isPayerSide = m['isPayerSide'] === true
      lockIsNew(link(tx, name).channels[num(m['channelIndex'])], routeId(isPayerSide, transactionId))
      const rec = findRecord(tx, transactionId, isPayerSide, 'up', from)
      // A live record takes a Lock only in haveRoute (§9.1); before that the sender broke the order.
      if (rec !== undefined && rec.status !== 'haveRoute' && !TERMINAL_RECORD.has(rec.status))
        throw new AmikoError('AMIKO_BAD_STATE', `a Lock for a record in ${rec.status}`)
      const hop = rec === undefined ? undefined : (up(rec) as Hop)
      const fits =
        rec !== undefined &&
        hop !== undefined &&
        rec.status === 'haveRoute' &&
        num(m['amount']) === rec.amount &&
        num(m['channelIndex']) === hop.channel &&
        time(m['endTime']) === hop.expiry &&
        time(m['startTime']) === rec.startTime &&
        reasonable(tx, hop.expiry)
      if (!fits || rec === undefined || hop === undefined) {
        // §6.5, §8 rows 9 and 13: accept, then refund; a record waiting for this lock is torn down.
        acceptThenRefund(
          tx,
          name,
          num(m['channelIndex']),
          routeId(isPayerSide, transactionId),
          transactionId,
          isPayerSide,
        )
        if (rec !== undefined && rec.status === 'haveRoute') {
          // The reservation of our up hop goes too: the refund above returned the one on the Lock's
          // channel, which is another one when the Lock named the wrong channel (the sender rolls
          // back its real entry on our refund, so keeping ours would hold it reserved for ever).
          releaseHop(tx, rec, hop ?? null)
          abandonDown(tx, rec, 'AMIKO_UNKNOWN_LOCK')
        }
        return
      }
      ch.lock(channelOf(tx, hop.id, hop.channel as number), 'incoming', rid(rec), entryOf(rec, hop))
      return lockDown(tx, rec)
    }
    case 'RequestCommit': {
      const rec = findRecord(tx, tokenTxid(tx, m), m['isPayerSide'] === true, 'down', from)
      if (rec === undefined) return
      return requestCommit(tx, rec, str(m['token']))
    }
    case 'SettleCommit': {
      const isPayerSide = m['isPayerSide'] === true
      const transactionId = tokenTxid(tx, m, name)
      if (settleCrossedRefund(tx, name, routeId(isPayerSide, transactionId))) return
      const rec = findRecord(tx, transactionId, isPayerSide, 'up', from)
      if (rec === undefined) return
      return settleCommit(tx, rec, str(m['token']))
    }
    case 'SettleRollback': {
      const transactionId = str(m['transactionID'])
      const isPayerSide = m['isPayerSide'] === true
      // From downstream it is a refund of our down hop; from upstream, a reclaim of our up hop.
      const refunded = findRecord(tx, transactionId, isPayerSide, 'down', from)
      if (refunded !== undefined) return refundFromDown(tx, refunded)
      const reclaimed = findRecord(tx, transactionId, isPayerSide, 'up', from)
      if (reclaimed !== undefined) return reclaimFromUp(tx, reclaimed)
      // A finished record: roll the entry back if it is still open, else it is a no-op (§8).
      const r = routeId(isPayerSide, transactionId)
      for (const c of link(tx, name).channels) {
        ch.rollBack(c, 'outgoing', r)
        ch.rollBack(c, 'incoming', r)
      }
      return
    }
    default:
      throw new AmikoError('AMIKO_UNKNOWN_CLASS', `${m._class} is not a network message`)
  }
}

/**
 * A `Lock` for route `r` on channel `c` may only lock what is not locked yet (§9.1, I7): not a hop
 * already locked, not one we pay on (a lock from the wrong side), not a settled or rolled-back
 * one. Such a lock is refused and changes nothing; accepting and refunding it would hand back
 * money the route still owes, or overwrite a final status.
 */
function lockIsNew(c: ChannelState | undefined, r: string): void {
  if (c === undefined) return
  const done = c.done[r]
  if (
    r in c.incomingLocked ||
    r in c.outgoingLocked ||
    r in c.outgoingReserved ||
    done === 'settled' ||
    done === 'rolledBack' ||
    done === 'refunded'
  )
    throw new AmikoError('AMIKO_BAD_STATE', `route ${r} is already locked or finished on this channel`)
}

/**
 * The transaction ID a token-carrying message is for, from its token: a live record's, or (for a
 * `SettleCommit` on link `name`) one whose entry we refunded there, its record perhaps pruned.
 * A token that matches neither is rejected.
 */
function tokenTxid(tx: Tx, m: Msg, name?: string): string {
  const token = str(m['token'])
  for (const rec of Object.values(tx.state.records)) {
    if (tokenMatches(token, rec.transactionId)) return rec.transactionId
  }
  for (const c of name === undefined ? [] : link(tx, name).channels) {
    for (const r of Object.keys(c.refunds ?? {})) {
      if (tokenMatches(token, r.slice(1))) return r.slice(1)
    }
  }
  throw new AmikoError('AMIKO_BAD_TOKEN', 'token matches no transaction here')
}

/**
 * §9.4: a `SettleCommit` from upstream crossed the refund we sent it (not yet acknowledged): settle
 * wins, on both ends. False when no entry of route `r` on link `name` is `refunded`.
 */
function settleCrossedRefund(tx: Tx, name: string, r: string): boolean {
  const c = link(tx, name).channels.find((c) => c.done[r] === 'refunded' && c.refunds?.[r] !== undefined)
  if (c === undefined) return false
  ch.settle(c, 'incoming', r)
  return true
}

/** The peer on link `name` acknowledged our `SettleRollback`: a refund of ours there is final (§9.4). */
export function refundsAcknowledged(
  tx: Tx,
  name: string,
  rollbacks: { transactionId: string; isPayerSide: boolean }[],
): void {
  const l = tx.state.links[name]
  if (l === undefined) return
  for (const { transactionId, isPayerSide } of rollbacks) {
    for (const c of l.channels) ch.refundAcknowledged(c, routeId(isPayerSide, transactionId))
  }
}

function entryOf(rec: RecordState, hop: Hop): Entry {
  return { amount: rec.amount, startTime: rec.startTime, endTime: hop.expiry }
}

function cancelRoute(tx: Tx, rec: RecordState): void {
  if (rec.status !== 'makingRoute' && rec.status !== 'haveRoute') return
  releaseHop(tx, rec, rec.origin)
  releaseHop(tx, rec, rec.mpSide)
  if (rec.mpSide !== null) cancelRouteTo(tx, rec, rec.mpSide)
  rec.status = 'cancelled'
  rec.reason = 'AMIKO_ROUTE_CANCELLED'
  stop(tx, null, rec.key)
}

/** The up hop of `rec` is locked: lock its down hop and pass the `Lock` on (§6.3 step 11). */
function lockDown(tx: Tx, rec: RecordState): void {
  const hop = down(rec) as Hop
  rec.status = 'locked'
  stop(tx, 'lock', rec.key)
  if (hop.kind === 'link') {
    ch.lock(channelOf(tx, hop.id, hop.channel as number), 'outgoing', rid(rec), entryOf(rec, hop))
    tx.send(
      { kind: 'link', id: hop.id },
      {
        _class: 'Lock',
        transactionID: rec.transactionId,
        isPayerSide: rec.isPayerSide,
        amount: rec.amount,
        startTime: rec.startTime,
        endTime: hop.expiry,
        channelIndex: hop.channel,
      },
    )
    arm(tx, 'expiry', rec.key, hop.expiry as number)
  } else if (hop.kind === 'meetingPoint') {
    otherHalfAtMeetingPoint(tx, rec, (other) => {
      if (other.status === 'haveRoute') lockDown(tx, other)
    })
  } else if (hop.kind === 'payee') {
    releaseToken(tx, hop.id, rec)
  }
}

/** A verified token came from downstream: settle down, pass it up (§6.3 step 13). */
function requestCommit(tx: Tx, rec: RecordState, token: string): void {
  if (!tokenMatches(token, rec.transactionId)) throw new AmikoError('AMIKO_BAD_TOKEN', 'wrong token')
  if (rec.status !== 'locked') return
  rec.token = token
  settleDown(tx, rec, token)
  rec.status = 'requestedCommit'
  const hop = up(rec) as Hop
  if (hop.kind === 'link') {
    tx.send({ kind: 'link', id: hop.id }, { _class: 'RequestCommit', token, isPayerSide: rec.isPayerSide })
  } else if (hop.kind === 'meetingPoint') {
    otherHalfAtMeetingPoint(tx, rec, (other) => requestCommit(tx, other, token))
  } else if (hop.kind === 'payer') {
    rec.status = 'committed'
    stop(tx, null, rec.key)
    payerCommitted(tx, hop.id, token)
  }
}

/** A verified `SettleCommit` came from upstream: credit it, settle down (§6.3 step 14). */
function settleCommit(tx: Tx, rec: RecordState, token: string): void {
  if (!tokenMatches(token, rec.transactionId)) throw new AmikoError('AMIKO_BAD_TOKEN', 'wrong token')
  if (rec.status !== 'locked' && rec.status !== 'requestedCommit' && rec.status !== 'rollingBack') return
  rec.token = token
  const hop = up(rec) as Hop
  if (hop.kind === 'link') ch.settle(channelOf(tx, hop.id, hop.channel as number), 'incoming', rid(rec))
  settleDown(tx, rec, token)
  rec.status = 'committed'
  stop(tx, null, rec.key)
  // The payee is paid once its last hop is settled (§6.3 step 16).
  const last = down(rec)
  if (last?.kind === 'payee') payeeCommitted(tx, last.id)
}

/** Settles the down hop of `rec` if still locked, and tells the next party downstream. */
function settleDown(tx: Tx, rec: RecordState, token: string): void {
  const hop = down(rec) as Hop
  if (hop.kind === 'link') {
    if (ch.settle(channelOf(tx, hop.id, hop.channel as number), 'outgoing', rid(rec))) {
      const sent = tx.faults?.wrongSettleToken === true ? wrongTokenFor(token) : token
      tx.send(
        { kind: 'link', id: hop.id },
        { _class: 'SettleCommit', token: sent, isPayerSide: rec.isPayerSide },
      )
    }
    stop(tx, 'expiry', rec.key)
  } else if (hop.kind === 'meetingPoint') {
    otherHalfAtMeetingPoint(tx, rec, (other) => {
      if (other.status === 'locked' || other.status === 'requestedCommit') settleCommit(tx, other, token)
    })
  }
}

// ---------------------------------------------------------------- channels (§5 Deposit, §11)

function onDeposit(l: LinkState, index: number, channelClass: string) {
  if (channelClass !== 'SignedIOUChannel')
    throw new AmikoError('AMIKO_BAD_FIELD', `channel class ${channelClass} is not supported`)
  if (index !== l.channels.length || index >= 16)
    throw new AmikoError('AMIKO_BAD_FIELD', `channel index ${index} is not the next one`)
  l.channels.push(ch.newChannel(index, 'remote', 0, 0))
}

function onChannelMessage(tx: Tx, l: LinkState, index: number, m: Msg) {
  const c = l.channels[index]
  if (c === undefined) throw new AmikoError('AMIKO_BAD_FIELD', `no channel ${index}`)
  switch (m._class) {
    case 'SignedIOUChannel_Open': {
      if (c.opener !== 'remote' || c.status !== 'opening')
        throw new AmikoError('AMIKO_BAD_STATE', 'open twice')
      c.amountRemote = num(m['amount'])
      // paylink's extension: the opener may ask the acceptor to add funds (the IOU is backed
      // outside the protocol); the acceptor adds what was asked.
      const add = typeof m['remoteAmount'] === 'number' ? m['remoteAmount'] : 0
      c.amountLocal = add
      c.status = 'open'
      tx.send(
        { kind: 'link', id: l.name },
        channelMessage(index, { _class: 'SignedIOUChannel_Accept', amount: add }),
      )
      return
    }
    case 'SignedIOUChannel_Accept':
      if (c.opener !== 'local' || c.status !== 'opening')
        throw new AmikoError('AMIKO_BAD_STATE', 'accept twice')
      c.amountRemote = num(m['amount'])
      c.status = 'open'
      return
    case 'SignedIOUChannel_Withdraw':
      if (c.status === 'open' || c.status === 'opening') c.status = 'closing'
      return closeIfIdle(c)
    case 'SignedIOUChannel_State':
      return onState(tx, l, c, m)
    default:
      throw new AmikoError('AMIKO_UNKNOWN_CLASS', `${m._class} is not a channel message`)
  }
}

export function channelMessage(index: number, message: Record<string, unknown>): Record<string, unknown> {
  return { _class: 'ChannelMessage', channelIndex: index, message }
}

function closeIfIdle(c: ChannelState): void {
  if (c.status === 'closing' && ch.openEntries(c).length === 0) c.status = 'closed'
}

/** Opens channel number `channels.length` on `name` with our `amount`, asking the peer for `remoteAmount`. */
export function deposit(tx: Tx, name: string, amount: number, remoteAmount: number): number {
  const l = link(tx, name)
  const index = l.channels.length
  if (index >= 16) throw new AmikoError('AMIKO_BAD_FIELD', 'at most 16 channels per link')
  l.channels.push(ch.newChannel(index, 'local', amount, 0))
  tx.send(
    { kind: 'link', id: name },
    { _class: 'Deposit', channelIndex: index, channelClass: 'SignedIOUChannel' },
  )
  tx.send(
    { kind: 'link', id: name },
    channelMessage(index, { _class: 'SignedIOUChannel_Open', amount, remoteAmount }),
  )
  return index
}

export function withdraw(tx: Tx, name: string, index: number): void {
  const c = channelOf(tx, name, index)
  if (c.status === 'closed' || c.status === 'closing') return
  c.status = 'closing'
  tx.send({ kind: 'link', id: name }, channelMessage(index, { _class: 'SignedIOUChannel_Withdraw' }))
  closeIfIdle(c)
}

/** Side A is the end with the smaller node key (§11). */
function isA(tx: Tx, l: LinkState): boolean {
  return isSideA(tx.publicKey, l.remoteKey ?? '')
}

function counts(tx: Tx, l: LinkState): { countA: number; countB: number } {
  return isA(tx, l)
    ? { countA: l.ledgerSent, countB: l.ledgerProcessed }
    : { countA: l.ledgerProcessed, countB: l.ledgerSent }
}

/** This side's view of channel `c` as the signed state data of §11. */
export function stateData(tx: Tx, l: LinkState, c: ChannelState): Uint8Array {
  const a = isA(tx, l)
  const peer = l.remoteKey ?? ''
  return iouStateData({
    keyA: a ? tx.publicKey : peer,
    keyB: a ? peer : tx.publicKey,
    channelIndex: c.index,
    status: c.status,
    ...counts(tx, l),
    balanceA: a ? c.amountLocal : c.amountRemote,
    balanceB: a ? c.amountRemote : c.amountLocal,
    entries: ch.openEntries(c).map((e) => ({
      routeId: e.routeId,
      payerIsA: (e.direction === 'outgoing') === a,
      amount: e.entry.amount,
      isLocked: e.locked,
      startTime: e.entry.startTime,
      endTime: e.entry.endTime,
    })),
  })
}

/** Queues one signed `State` per channel of `name` that is not closed (§11 rule 1). */
export function queueStates(tx: Tx, name: string): void {
  const l = link(tx, name)
  for (const c of l.channels) {
    if (c.status === 'closed' && c.coSigned !== null) continue
    const data = stateData(tx, l, c)
    const { countA, countB } = counts(tx, l)
    const signature = sign(tx.privateKey, data)
    c.lastSent = { countA, countB, signature }
    tx.send(
      { kind: 'link', id: name },
      channelMessage(c.index, {
        _class: 'SignedIOUChannel_State',
        countA,
        countB,
        stateHash: sha256Hex(data),
        signature,
      }),
    )
  }
}

function onState(tx: Tx, l: LinkState, c: ChannelState, m: Msg): void {
  const mine = counts(tx, l)
  if (num(m['countA']) !== mine.countA || num(m['countB']) !== mine.countB) return
  const data = stateData(tx, l, c)
  const hash = sha256Hex(data)
  if (hash !== m['stateHash'] || l.remoteKey === null || !verify(l.remoteKey, data, str(m['signature']))) {
    c.diverged = true
    return
  }
  c.diverged = false
  // Our signature at these counts is the one our own State carried (RFC 6979: the same data signs the same).
  const sent = c.lastSent
  const local =
    sent !== undefined && sent.countA === mine.countA && sent.countB === mine.countB
      ? sent.signature
      : sign(tx.privateKey, data)
  c.coSigned = { stateHash: hash, local, remote: str(m['signature']), ...mine }
}

function sha256Hex(data: Uint8Array): string {
  return Buffer.from(sha256(data)).toString('hex')
}

// ---------------------------------------------------------------- pay link: payee (§9.3)

function payeeOf(tx: Tx, id: string): PayeeState {
  const p = tx.state.payees[id]
  if (p === undefined) throw new AmikoError('AMIKO_UNKNOWN_ID', `no payment ${id}`)
  return p
}

/** A `Pay` bound a connection to payment `id`: the first one gets the `Receipt` (§6.1 step 4). */
export function onPay(tx: Tx, id: string): void {
  const p = payeeOf(tx, id)
  if (p.receiptSent || p.status !== 'initial') return
  p.receiptSent = true
  tx.send(
    { kind: 'payee', id },
    {
      _class: 'Receipt',
      amount: p.amount,
      receipt: p.receipt,
      transactionID: p.transactionId,
      meetingPoints: p.meetingPoints,
      signature: sign(tx.privateKey, receiptData(p)),
      payeeKey: tx.publicKey,
    },
  )
}

function receiptData(p: { amount: number; receipt: string; transactionId: string }): Uint8Array {
  return receiptSigningData(p.amount, p.receipt, p.transactionId)
}

export function onPayeeMessage(tx: Tx, id: string, m: Msg) {
  const p = payeeOf(tx, id)
  if (m._class === 'Confirm') {
    if (p.status !== 'initial') throw new AmikoError('AMIKO_BAD_STATE', `payment ${id} is ${p.status}`)
    const mp = str(m['meetingPointID'])
    if (!p.meetingPoints.includes(mp)) return cancelPayee(tx, p, 'AMIKO_MEETING_POINT_REJECTED', true)
    p.status = 'confirmed'
    p.meetingPoint = mp
    stop(tx, 'requestExpiry', id)
    const rec = startRecord(tx, {
      transactionId: p.transactionId,
      isPayerSide: false,
      amount: p.amount,
      meetingPoint: mp,
      startTime: tx.now,
      origin: { kind: 'payee', id, channel: null, expiry: tx.now },
    })
    if (rec !== undefined && p.status === 'confirmed') p.record = rec.key
    return
  }
  if (m._class === 'Cancel') {
    if (p.status === 'initial' || p.status === 'confirmed')
      cancelPayee(tx, p, 'AMIKO_CANCELLED_BY_PAYER', false)
    return
  }
  throw new AmikoError('AMIKO_UNKNOWN_CLASS', `${m._class} is not for the payee`)
}

function cancelPayee(tx: Tx, p: PayeeState, reason: string, tellPayer: boolean): void {
  p.status = 'cancelled'
  p.reason = reason
  p.token = null
  stop(tx, null, p.id)
  if (tellPayer) tx.send({ kind: 'payee', id: p.id }, { _class: 'Cancel', ID: '__payer__' })
  const rec = p.record === null ? undefined : tx.state.records[p.record]
  if (rec !== undefined) cancelRoute(tx, rec)
  finishPayee(tx, p)
}

function payeeHalfFailed(tx: Tx, id: string, reason: string): void {
  const p = tx.state.payees[id]
  if (p === undefined || (p.status !== 'confirmed' && p.status !== 'initial')) return
  p.record = null
  cancelPayee(tx, p, reason, true)
}

function payeeRouteReady(tx: Tx, id: string): void {
  const p = tx.state.payees[id]
  if (p?.status !== 'confirmed') return
  tx.send(
    { kind: 'payee', id },
    { _class: 'HavePayeeRoute', ID: '__payer__', transactionID: p.transactionId },
  )
}

/** The `Lock` reached the payee: release the token (§6.3 step 12). */
function releaseToken(tx: Tx, id: string, rec: RecordState): void {
  const p = payeeOf(tx, id)
  if (p.status !== 'confirmed' || p.token === null)
    throw new AmikoError('AMIKO_BAD_STATE', 'payee cannot release')
  p.status = 'sentRequestCommit'
  if (tx.faults?.wrongToken === true) {
    const wrong = wrongTokenFor(p.token)
    tx.send({ kind: 'payee', id }, { _class: 'Commit', token: wrong })
    const hop = up(rec)
    if (hop?.kind === 'link')
      tx.send({ kind: 'link', id: hop.id }, { _class: 'RequestCommit', token: wrong, isPayerSide: false })
    rec.status = 'requestedCommit'
    return
  }
  tx.send({ kind: 'payee', id }, { _class: 'Commit', token: p.token })
  requestCommit(tx, rec, p.token)
}

/** A well-formed token that is not `token` (fault injection only). */
function wrongTokenFor(token: string): string {
  return token.replace(/^./, (c) => (c === '0' ? '1' : '0'))
}

function payeeCommitted(tx: Tx, id: string): void {
  const p = tx.state.payees[id]
  if (p?.status !== 'sentRequestCommit') return
  p.status = 'committed'
  finishPayee(tx, p)
}

function finishPayee(tx: Tx, p: PayeeState) {
  p.finishedAt = tx.now
  tx.state.log.push({
    amount: p.amount,
    receipt: p.receipt,
    state: p.status === 'committed' ? 'committed' : 'cancelled',
    transactionId: p.transactionId,
    token: p.status === 'committed' ? p.token : null,
    signature: null,
    payeeKey: null,
    meetingPoint: p.meetingPoint,
    reason: p.reason,
    finishedAt: tx.now,
  })
}

// ---------------------------------------------------------------- pay link: payer (§9.2)

function payerOf(tx: Tx, id: string): PayerState {
  const p = tx.state.payers[id]
  if (p === undefined) throw new AmikoError('AMIKO_UNKNOWN_ID', `no payer ${id}`)
  return p
}

export function onPayerMessage(tx: Tx, id: string, m: Msg) {
  const p = payerOf(tx, id)
  switch (m._class) {
    case 'Receipt': {
      if (p.status !== 'initial') throw new AmikoError('AMIKO_BAD_STATE', 'a second Receipt')
      stop(tx, 'receipt', id)
      p.amount = num(m['amount'])
      p.receipt = str(m['receipt'])
      p.transactionId = str(m['transactionID'])
      p.meetingPoints = m['meetingPoints'] as string[]
      p.signature = typeof m['signature'] === 'string' ? m['signature'] : null
      p.payeeKey = typeof m['payeeKey'] === 'string' ? m['payeeKey'] : null
      if (
        p.signature !== null &&
        (p.payeeKey === null ||
          !verify(
            p.payeeKey,
            receiptData(p as { amount: number; receipt: string; transactionId: string }),
            p.signature,
          ))
      ) {
        return cancelPayer(tx, p, 'AMIKO_RECEIPT_SIGNATURE_INVALID', true)
      }
      const mp = p.meetingPoints.find((id) => meetingPointKey(tx, id) !== undefined)
      if (mp === undefined) return cancelPayer(tx, p, 'AMIKO_MEETING_POINT_REJECTED', true)
      p.meetingPoint = mp
      p.status = 'hasReceipt'
      return
    }
    case 'Cancel':
      if (p.status === 'locked') return
      if (p.status !== 'committed' && p.status !== 'cancelled')
        cancelPayer(tx, p, 'AMIKO_CANCELLED_BY_PAYEE', false)
      return
    case 'HavePayeeRoute':
      if (str(m['transactionID']) !== p.transactionId)
        throw new AmikoError('AMIKO_BAD_FIELD', 'other transaction')
      return payerRouteReady(tx, id, 'payee')
    case 'Commit': {
      const token = str(m['token'])
      if (p.transactionId === null || !tokenMatches(token, p.transactionId))
        throw new AmikoError('AMIKO_BAD_TOKEN', 'the token does not hash to the transaction ID')
      const rec = p.record === null ? undefined : tx.state.records[p.record]
      if (p.status !== 'locked') return
      if (rec !== undefined && (rec.status === 'locked' || rec.status === 'requestedCommit')) {
        rec.token = token
        settleDown(tx, rec, token)
        rec.status = 'committed'
        stop(tx, null, rec.key)
      }
      return payerCommitted(tx, id, token)
    }
    default:
      throw new AmikoError('AMIKO_UNKNOWN_CLASS', `${m._class} is not for the payer`)
  }
}

/** The user's answer at `hasReceipt` (§6.1 step 5). */
export function confirmPayer(tx: Tx, id: string, agree: boolean) {
  const p = payerOf(tx, id)
  if (p.status !== 'hasReceipt') throw new AmikoError('AMIKO_BAD_STATE', `payer is ${p.status}`)
  if (!agree) return cancelPayer(tx, p, 'AMIKO_CANCELLED_BY_PAYER', true)
  p.status = 'confirmed'
  tx.send({ kind: 'payer', id }, { _class: 'Confirm', ID: p.paymentId, meetingPointID: p.meetingPoint })
  const rec = startRecord(tx, {
    transactionId: p.transactionId as string,
    isPayerSide: true,
    amount: p.amount as number,
    meetingPoint: p.meetingPoint as string,
    startTime: null,
    origin: { kind: 'payer', id, channel: null, expiry: null },
  })
  if (rec !== undefined && p.status === 'confirmed') p.record = rec.key
}

function payerHalfFailed(tx: Tx, id: string, reason: string): void {
  const p = tx.state.payers[id]
  if (p === undefined || TERMINAL_PAYER.has(p.status) || p.status === 'locked') return
  p.record = null
  cancelPayer(tx, p, reason, true)
}

const TERMINAL_PAYER = new Set(['committed', 'cancelled'])

function cancelPayer(tx: Tx, p: PayerState, reason: string, tellPayee: boolean): void {
  p.status = 'cancelled'
  p.reason = reason
  stop(tx, null, p.id)
  if (tellPayee) tx.send({ kind: 'payer', id: p.id }, { _class: 'Cancel', ID: p.paymentId })
  const rec = p.record === null ? undefined : tx.state.records[p.record]
  if (rec !== undefined) cancelRoute(tx, rec)
  finishPayer(tx, p)
}

function payerRouteReady(tx: Tx, id: string, half: 'payer' | 'payee'): void {
  const p = tx.state.payers[id]
  if (p === undefined) return
  const next: Partial<Record<PayerState['status'], PayerState['status']>> =
    half === 'payer'
      ? { confirmed: 'hasPayerRoute', hasPayeeRoute: 'locked' }
      : { confirmed: 'hasPayeeRoute', hasPayerRoute: 'locked' }
  const to = next[p.status]
  if (to === undefined) return
  if (to === 'locked' && tx.faults?.noLock === true) return
  p.status = to
  if (to !== 'locked') return
  const rec = tx.state.records[p.record ?? '']
  if (rec?.status !== 'haveRoute') throw new AmikoError('AMIKO_BAD_STATE', 'the payer half is not ready')
  lockDown(tx, rec)
}

function payerCommitted(tx: Tx, id: string, token: string): void {
  const p = tx.state.payers[id]
  if (p === undefined || p.status === 'committed') return
  if (p.status !== 'locked') throw new AmikoError('AMIKO_BAD_STATE', `payer is ${p.status}`)
  p.status = 'committed'
  p.token = token
  finishPayer(tx, p)
}

function finishPayer(tx: Tx, p: PayerState): void {
  tx.state.log.push({
    amount: -(p.amount ?? 0),
    receipt: p.receipt ?? '',
    state: p.status === 'committed' ? 'committed' : 'cancelled',
    transactionId: p.transactionId ?? '',
    token: p.status === 'committed' ? p.token : null,
    signature: p.signature,
    payeeKey: p.payeeKey,
    meetingPoint: p.meetingPoint,
    reason: p.reason,
    finishedAt: tx.now,
  })
}

// ---------------------------------------------------------------- timers (§7, §8)

/** A timer row fell due. */
// ---------------------------------------------------------------- rolling back (§6.5)

/** A `Lock` we will not carry: take it, then give it straight back with `SettleRollback` (refund). */
function acceptThenRefund(
  tx: Tx,
  name: string,
  channelIndex: number,
  r: string,
  transactionId: string,
  isPayerSide: boolean,
): void {
  const c = link(tx, name).channels[channelIndex]
  if (c === undefined) throw new AmikoError('AMIKO_BAD_FIELD', `no channel ${channelIndex}`)
  // Whatever we still held for it (a reservation) is returned; the upstream's lock is refunded.
  ch.release(c, 'incoming', r)
  c.done[r] = 'refunded'
  tx.send({ kind: 'link', id: name }, { _class: 'SettleRollback', transactionID: transactionId, isPayerSide })
}

/** Our down hop was refunded by the downstream party: give back our up hop in turn. */
function refundFromDown(tx: Tx, rec: RecordState): void {
  // Only a lock is refunded: a hop still being routed is given up with HaveNoRoute (§6.5).
  if (rec.status === 'makingRoute' || rec.status === 'haveRoute')
    throw new AmikoError('AMIKO_BAD_STATE', 'a refund for a hop that is not locked')
  const hop = down(rec)
  if (hop?.kind === 'link' && hop.channel !== null) {
    if (!ch.rollBack(channelOf(tx, hop.id, hop.channel), 'outgoing', rid(rec))) return
  }
  stop(tx, 'expiry', rec.key)
  // The route was built and locked, so "no route" would be wrong: a lock handed back from
  // downstream ends as §8 row 10 (a SettleRollback carries no reason; rows 9 and 13 are named
  // where they are detected, and the cascade above that node reads as an expired lock).
  if (rec.status === 'locked' || rec.status === 'rollingBack') refundUp(tx, rec, 'AMIKO_LOCK_EXPIRED')
}

/** Refunds the up hop of `rec` (§6.5): the amount goes back upstream, and so does the news. */
function refundUp(tx: Tx, rec: RecordState, reason: string): void {
  const hop = up(rec)
  rec.status = 'cancelled'
  rec.reason ??= reason
  stop(tx, null, rec.key)
  if (hop?.kind === 'link' && hop.channel !== null) {
    ch.rollBack(channelOf(tx, hop.id, hop.channel), 'incoming', rid(rec), true)
    tx.send(
      { kind: 'link', id: hop.id },
      { _class: 'SettleRollback', transactionID: rec.transactionId, isPayerSide: rec.isPayerSide },
    )
  } else if (hop?.kind === 'meetingPoint') {
    otherHalfAtMeetingPoint(tx, rec, (other) => {
      if (other.status === 'locked') refundUp(tx, other, reason)
    })
  } else if (hop?.kind === 'payer') {
    payerRolledBack(tx, hop.id, reason)
  }
}

/** Our up hop was reclaimed by the upstream party at its expiry (§6.5). */
function reclaimFromUp(tx: Tx, rec: RecordState): void {
  const hop = up(rec)
  if (hop?.kind === 'link' && hop.channel !== null)
    ch.rollBack(channelOf(tx, hop.id, hop.channel), 'incoming', rid(rec))
  if (rec.status === 'haveRoute' || rec.status === 'makingRoute') {
    abandonDown(tx, rec, 'AMIKO_LOCK_EXPIRED')
    return
  }
  if (rec.status !== 'locked' && rec.status !== 'requestedCommit') return
  rec.reason = 'AMIKO_LOCK_EXPIRED'
  const next = down(rec)
  if (next?.kind === 'link') {
    // Our locked down hop ends by its own token or expiry.
    rec.status = 'rollingBack'
    return
  }
  rec.status = 'cancelled'
  stop(tx, null, rec.key)
  if (next?.kind === 'meetingPoint') otherHalfAtMeetingPoint(tx, rec, (other) => reclaimFromUp(tx, other))
  else if (next?.kind === 'payee') payeeReclaimed(tx, next.id)
}

/** The expiry of our still-locked down hop passed with no token: reclaim it, refund our up hop. */
function reclaimDown(tx: Tx, rec: RecordState): void {
  const hop = down(rec)
  if (hop?.kind !== 'link' || hop.channel === null) return
  if (!ch.rollBack(channelOf(tx, hop.id, hop.channel), 'outgoing', rid(rec))) return
  tx.send(
    { kind: 'link', id: hop.id },
    { _class: 'SettleRollback', transactionID: rec.transactionId, isPayerSide: rec.isPayerSide },
  )
  if (rec.status === 'rollingBack') {
    rec.status = 'cancelled'
    stop(tx, null, rec.key)
    return
  }
  refundUp(tx, rec, 'AMIKO_LOCK_EXPIRED')
}

function payerRolledBack(tx: Tx, id: string, reason: string): void {
  const p = tx.state.payers[id]
  if (p === undefined || p.status === 'committed' || p.status === 'cancelled') return
  p.record = null
  cancelPayer(tx, p, reason, true)
}

function payeeReclaimed(tx: Tx, id: string): void {
  const p = tx.state.payees[id]
  if (p === undefined || p.status === 'committed' || p.status === 'cancelled') return
  const released = p.status === 'sentRequestCommit'
  p.record = null
  p.status = 'cancelled'
  p.reason = released ? 'AMIKO_TOO_LATE' : 'AMIKO_LOCK_EXPIRED'
  if (!released) p.token = null
  stop(tx, null, p.id)
  finishPayee(tx, p)
}

export function onTimer(tx: Tx, kind: TimerKind, target: string) {
  stop(tx, kind, target)
  if (kind === 'receipt') {
    const p = tx.state.payers[target]
    if (p?.status === 'initial') cancelPayer(tx, p, 'AMIKO_RECEIPT_TIMEOUT', true)
    return
  }
  if (kind === 'requestExpiry') {
    const p = tx.state.payees[target]
    if (p?.status === 'initial') cancelPayee(tx, p, 'AMIKO_REQUEST_EXPIRED', true)
    return
  }
  const rec = tx.state.records[target]
  if (rec === undefined) return
  if (kind === 'route' && rec.status === 'makingRoute') return teardown(tx, rec, 'AMIKO_ROUTE_TIMEOUT')
  if (kind === 'lock' && rec.status === 'haveRoute') return teardown(tx, rec, 'AMIKO_LOCK_TIMEOUT')
  if (kind === 'expiry' && (rec.status === 'locked' || rec.status === 'rollingBack'))
    return reclaimDown(tx, rec)
}

export { arm as armTimer }
