/**
 * Per-IP caps (PROTOCOLS.md P4 §14.2, §14.7): at most 32 open sockets and 60 joins a minute per
 * address, past either a join is refused with 429 `PL1006` before the upgrade; and 120 REST
 * requests a minute (429 `PL1006`). A websocket join counts only as a join.
 */
import type { Clock } from '../core/clock.ts'

export const MAX_SOCKETS_PER_IP = 32
export const MAX_JOINS_PER_MINUTE = 60
export const MAX_REST_PER_MINUTE = 120

/** The caps, each optional (§14.7 defaults). */
export interface IpCaps {
  sockets?: number
  joinsPerMinute?: number
  restPerMinute?: number
}

export class IpLimits {
  readonly #clock: Clock
  readonly #open = new Map<string, number>()
  readonly #joins = new Map<string, number[]>()
  readonly #rest = new Map<string, number[]>()
  readonly #sockets: number
  readonly #joinsPerMinute: number
  readonly #restPerMinute: number

  constructor(clock: Clock, caps: IpCaps = {}) {
    this.#clock = clock
    this.#sockets = caps.sockets ?? MAX_SOCKETS_PER_IP
    this.#joinsPerMinute = caps.joinsPerMinute ?? MAX_JOINS_PER_MINUTE
    this.#restPerMinute = caps.restPerMinute ?? MAX_REST_PER_MINUTE
  }

  /** Counts a join attempt from `ip`; false when `ip` is over a cap. */
  admit(ip: string): boolean {
    if ((this.#open.get(ip) ?? 0) >= this.#sockets) return false
    return this.#take(this.#joins, ip, this.#joinsPerMinute)
  }

  /** Counts a REST request from `ip`; false when `ip` is over the cap. */
  admitRest(ip: string): boolean {
    return this.#take(this.#rest, ip, this.#restPerMinute)
  }

  /** Counts one event of `ip` in a sliding minute unless `cap` are already in it. */
  #take(events: Map<string, number[]>, ip: string, cap: number): boolean {
    const now = this.#clock.now()
    const recent = (events.get(ip) ?? []).filter((t) => now - t < 60_000)
    if (recent.length >= cap) return false
    recent.push(now)
    events.set(ip, recent)
    return true
  }

  /** A socket of `ip` opened. */
  opened(ip: string): void {
    this.#open.set(ip, (this.#open.get(ip) ?? 0) + 1)
  }

  /** A socket of `ip` closed. */
  closed(ip: string): void {
    const n = (this.#open.get(ip) ?? 1) - 1
    if (n <= 0) this.#open.delete(ip)
    else this.#open.set(ip, n)
  }
}
