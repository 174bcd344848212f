/**
 * The model of the Amiko model test (`model.test.ts`): what one node hosting meeting point `MP`
 * between neighbours A (payer half) and B (payee half) should hold after each input, written from
 * protocols-amiko.md §6.2–§6.5, §8 and §9 for that position only — per payment the status of its
 * two records and its two channel entries, and from those the two channels' balances.
 */
import { CHANNEL_FUNDS, MODEL_SETTINGS } from './model-harness.ts'

const DELTA = MODEL_SETTINGS.expiryIncrement as number
const MAX_EXPIRY = MODEL_SETTINGS.maxExpiry as number
const ROUTE_TIMEOUT = MODEL_SETTINGS.routeTimeout as number
const LOCK_TIMEOUT = MODEL_SETTINGS.lockTimeout as number

export type RecStatus =
  | 'none'
  | 'making'
  | 'haveRoute'
  | 'locked'
  | 'requestedCommit'
  | 'rollingBack'
  | 'committed'
  | 'cancelled'
export type Entry = 'none' | 'reserved' | 'locked' | 'settled' | 'released' | 'rolledBack' | 'refunded'

/** One payment as the node should see it: its payer-half record P (from A) and payee-half record Q (from B). */
export interface Payment {
  token: string
  txid: string
  amount: number
  /** The payee half's `startTime` and the `endTime` B puts on its hop (§6.2 step 7). */
  startTime: number
  endTime: number
  P: RecStatus
  Q: RecStatus
  /** When the record's route or lock timer fires (set on entering `making` / `haveRoute`). */
  pDue: number
  qDue: number
  /** Route ID `"1"+txid` on A's channel (A pays), `"0"+txid` on B's (the node pays). */
  e1: Entry
  e0: Entry
  /** Which half waits unmatched at the meeting point. */
  waiting: 'P' | 'Q' | null
  /** How many steps of `HAPPY_PATH` were taken. */
  course: number
}

export const LIVE: ReadonlySet<RecStatus> = new Set([
  'making',
  'haveRoute',
  'locked',
  'requestedCommit',
  'rollingBack',
])
const OPEN: ReadonlySet<Entry> = new Set(['reserved', 'locked', 'settled'])

export class Model {
  now: number
  readonly payments: Payment[]

  constructor(now: number, payments: Payment[]) {
    this.now = now
    this.payments = payments
  }

  /** A's funds not yet reserved on its channel (node's `amountRemote` there). */
  aFree(): number {
    return CHANNEL_FUNDS - this.payments.reduce((s, p) => s + (OPEN.has(p.e1) ? p.amount : 0), 0)
  }

  /** The node's funds not yet reserved on B's channel (node's `amountLocal` there). */
  nodeFreeOnB(): number {
    return CHANNEL_FUNDS - this.payments.reduce((s, p) => s + (OPEN.has(p.e0) ? p.amount : 0), 0)
  }

  balances() {
    const paid = (e: 'e0' | 'e1') =>
      this.payments.reduce((s, p) => s + (p[e] === 'settled' ? p.amount : 0), 0)
    return {
      a: { local: CHANNEL_FUNDS + paid('e1'), remote: this.aFree() },
      b: { local: this.nodeFreeOnB(), remote: CHANNEL_FUNDS + paid('e0') },
    }
  }

  reasonable(endTime: number): boolean {
    return endTime > this.now && endTime - this.now <= MAX_EXPIRY
  }

  release(p: Payment, e: 'e0' | 'e1') {
    if (p[e] === 'reserved') p[e] = 'released'
  }

  /** Both halves meet at MP (§6.2 step 8): HaveRoute on both, or teardown if the expiry is stale. */
  match(p: Payment) {
    p.waiting = null
    if (this.reasonable(p.endTime + DELTA)) {
      p.P = 'haveRoute'
      p.Q = 'haveRoute'
      p.pDue = this.now + LOCK_TIMEOUT
      p.qDue = this.now + LOCK_TIMEOUT
    } else this.teardownBoth(p)
  }

  /** Teardown of a half at the meeting point takes the other live half down with it (§8). */
  teardownBoth(p: Payment) {
    p.waiting = null
    for (const [half, e] of [
      ['P', 'e1'],
      ['Q', 'e0'],
    ] as const) {
      if (p[half] === 'making' || p[half] === 'haveRoute') {
        p[half] = 'cancelled'
        this.release(p, e)
      }
    }
  }

  aMakeRoute(p: Payment) {
    if (p.P !== 'none' || this.aFree() < p.amount) return
    p.e1 = 'reserved'
    if (p.waiting === 'Q') return this.match(p)
    p.P = 'making'
    p.pDue = this.now + ROUTE_TIMEOUT
    p.waiting = 'P'
  }

  bMakeRoute(p: Payment) {
    if (p.Q !== 'none' || !this.reasonable(p.endTime) || this.nodeFreeOnB() < p.amount) return
    p.e0 = 'reserved'
    if (!this.reasonable(p.endTime + DELTA)) {
      p.Q = 'cancelled'
      p.e0 = 'released'
      return
    }
    if (p.waiting === 'P') return this.match(p)
    p.Q = 'making'
    p.qDue = this.now + ROUTE_TIMEOUT
    p.waiting = 'Q'
  }

  /** `Lock` from A; `good` = amount and times as agreed (§6.3 step 11, §6.5 accept-then-refund). */
  aLock(p: Payment, good: boolean) {
    if (p.P === 'haveRoute') {
      if (good && this.reasonable(p.endTime + 2 * DELTA)) {
        p.P = 'locked'
        p.e1 = 'locked'
        if (p.Q === 'haveRoute') {
          p.Q = 'locked'
          p.e0 = 'locked'
        }
        return
      }
      p.e1 = 'refunded'
      p.P = 'cancelled'
      this.teardownBoth(p)
      return
    }
    // §8 row 9 (no record, or a terminal one): accept, then refund. A released reservation (the
    // route torn down before the Lock came) is refunded too: the sender locked real money. A
    // settled or rolled-back entry stays as it is (I7).
    if (!LIVE.has(p.P) && (p.e1 === 'none' || p.e1 === 'released')) p.e1 = 'refunded'
    // A live record past haveRoute: not in the table of §9.1, so AMIKO_BAD_STATE and nothing changes.
  }

  /** `RequestCommit` with the right token from B (§6.3 step 13). */
  bRequestCommit(p: Payment) {
    if (p.Q !== 'locked') return
    p.Q = 'committed'
    p.e0 = 'settled'
    if (p.P === 'locked') p.P = 'requestedCommit'
  }

  /** `SettleCommit` from A (§6.3 step 14). */
  aSettleCommit(p: Payment) {
    if (p.P !== 'locked' && p.P !== 'requestedCommit') return
    p.P = 'committed'
    p.e1 = 'settled'
    if (p.Q === 'locked') {
      p.Q = 'committed'
      p.e0 = 'settled'
    }
  }

  /** `CancelRoute` from the origin side of one half (§9.1): only before locking. */
  cancelRoute(p: Payment, half: 'P' | 'Q') {
    if (p[half] !== 'making' && p[half] !== 'haveRoute') return
    this.teardownBoth(p)
  }

  /** A reclaims its hop (`SettleRollback` from upstream, §6.5). */
  aReclaim(p: Payment) {
    if (p.P === 'making' || p.P === 'haveRoute') {
      p.e1 = 'rolledBack'
      p.P = 'cancelled'
      this.teardownBoth(p)
      return
    }
    if (p.P !== 'locked' && p.P !== 'requestedCommit') return
    p.e1 = 'rolledBack'
    p.P = 'cancelled'
    // B's locked hop ends by its own token or its expiry.
    if (p.Q === 'locked') p.Q = 'rollingBack'
  }

  /** B refunds its hop (`SettleRollback` from downstream, §6.5): only a locked hop is refunded. */
  bRefund(p: Payment) {
    if (p.Q !== 'locked' && p.Q !== 'rollingBack') return
    p.e0 = 'rolledBack'
    const wasLocked = p.Q === 'locked'
    p.Q = 'cancelled'
    if (wasLocked && p.P === 'locked') {
      p.P = 'cancelled'
      p.e1 = 'refunded'
    }
  }

  /** Moves time; timers fire in `fireAt` order (§7, §12.4). */
  advance(seconds: number) {
    this.now += seconds
    for (;;) {
      const due = this.dueTimers()
      const first = due.sort((x, y) => x.at - y.at)[0]
      if (first === undefined) return
      first.fire()
    }
  }

  dueTimers(): { at: number; fire: () => void }[] {
    const out: { at: number; fire: () => void }[] = []
    for (const p of this.payments) {
      for (const half of ['P', 'Q'] as const) {
        const at = half === 'P' ? p.pDue : p.qDue
        if ((p[half] === 'making' || p[half] === 'haveRoute') && at <= this.now)
          out.push({ at, fire: () => this.teardownBoth(p) })
      }
      // The expiry timer of B's hop (§6.5 reclaim): only Q has a link downstream.
      if ((p.Q === 'locked' || p.Q === 'rollingBack') && p.endTime <= this.now) {
        out.push({
          at: p.endTime,
          fire: () => {
            p.e0 = 'rolledBack'
            const wasLocked = p.Q === 'locked'
            p.Q = 'cancelled'
            if (wasLocked && p.P === 'locked') {
              p.P = 'cancelled'
              p.e1 = 'refunded'
            }
          },
        })
      }
    }
    return out
  }
}
