/**
 * Per-IP websocket caps (PROTOCOLS.md P4 §14.2, §14.7): at most 32 open sockets and 60 joins a
 * minute per address; past either a join is refused with 429 `PL1006` before the upgrade.
 */
import type { Clock } from '../core/clock.ts'

export const MAX_SOCKETS_PER_IP = 32
export const MAX_JOINS_PER_MINUTE = 60

export class IpLimits {
  readonly #clock: Clock
  readonly #open = new Map<string, number>()
  readonly #joins = new Map<string, number[]>()
  readonly #sockets: number
  readonly #joinsPerMinute: number

  constructor(clock: Clock, caps: { sockets?: number; joinsPerMinute?: number } = {}) {
    this.#clock = clock
    this.#sockets = caps.sockets ?? MAX_SOCKETS_PER_IP
    this.#joinsPerMinute = caps.joinsPerMinute ?? MAX_JOINS_PER_MINUTE
  }

  /** Counts a join attempt from `ip`; false when `ip` is over a cap. */
  admit(ip: string): boolean {
    const now = this.#clock.now()
    const recent = (this.#joins.get(ip) ?? []).filter((t) => now - t < 60_000)
    if ((this.#open.get(ip) ?? 0) >= this.#sockets || recent.length >= this.#joinsPerMinute) return false
    recent.push(now)
    this.#joins.set(ip, recent)
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
