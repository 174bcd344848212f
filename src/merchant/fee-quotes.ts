/**
 * The fee quote the merchant publishes (PROTOCOLS.md P4 §8; the System Designs "GET policyQuote
 * (if no un-expired quote available)"): fetched from the broadcaster (ARC `/v1/policy`, cached
 * for `ttlMs`; mAPI `policyQuote`/`feeQuote`, cached until its `expiryTime`), refetched only once
 * expired. When a fetch fails the last quote serves if fetched under 24 h ago, else the default
 * rate: a PaymentRequest never fails for want of fees.
 */
import type { Clock } from '../core/clock.ts'
import type { FeeRates } from '../p4/fees.ts'

/** One quote: the rates and until when they hold. */
export interface FeeQuote {
  rates: FeeRates
  expiresAt: number
}

/** Where quotes come from: the broadcaster's policy or fee quote. */
export type FeeSource = () => Promise<{ rates: FeeRates; expiresAt?: number }>

const STALE_LIMIT_MS = 24 * 60 * 60 * 1000

export class FeeQuotes {
  readonly #source: FeeSource
  readonly #clock: Clock
  readonly #ttlMs: number
  readonly #fallback: FeeRates
  #last: (FeeQuote & { fetchedAt: number }) | undefined
  #inflight: Promise<FeeQuote> | undefined

  constructor(source: FeeSource, clock: Clock, options: { ttlMs?: number; fallback: FeeRates }) {
    this.#source = source
    this.#clock = clock
    this.#ttlMs = options.ttlMs ?? 600_000
    this.#fallback = options.fallback
  }

  /** An un-expired quote, fetching a new one only when the cached one has expired. */
  current(): Promise<FeeQuote> {
    const now = this.#clock.now()
    if (this.#last !== undefined && now < this.#last.expiresAt) return Promise.resolve(this.#last)
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined
    })
    return this.#inflight
  }

  async #fetch(): Promise<FeeQuote> {
    const now = this.#clock.now()
    try {
      const got = await this.#source()
      this.#last = { rates: got.rates, expiresAt: got.expiresAt ?? now + this.#ttlMs, fetchedAt: now }
      return this.#last
    } catch {
      if (this.#last !== undefined && now - this.#last.fetchedAt < STALE_LIMIT_MS) {
        return { rates: this.#last.rates, expiresAt: now + Math.min(this.#ttlMs, 60_000) }
      }
      return { rates: this.#fallback, expiresAt: now + Math.min(this.#ttlMs, 60_000) }
    }
  }
}
