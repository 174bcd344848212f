/**
 * The injectable clock (DESIGN.md: "Time comes from an injectable clock so expiry and time-outs
 * are testable"). Milliseconds since the epoch, like `Date.now()`.
 */

/** A source of the current time. */
export interface Clock {
  now(): number
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() }

/** A clock that moves only when told: for tests. */
export class ManualClock implements Clock {
  #now: number

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms
  }

  /** Sets the clock. */
  set(ms: number): void {
    this.#now = ms
  }
}

/** Unix seconds of a clock. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000)
}

/** RFC3339 UTC with second precision, as paylink emits times. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}
