/**
 * A durable HTTP outbox: deliveries are rows in the store, queued inside the same transaction as
 * the change they report, and POSTed by one loop. A 2xx answer delivers; a failure is retried
 * after base × 2^attempts (capped) until `maxAttempts`, also after a restart, since the rows are
 * the queue. Used for the devnet's ARC/mAPI callbacks and the merchant's proof deliveries.
 * Several processes may run a loop over one table (merchant instances sharing PostgreSQL): a
 * table with `claim` leases each row before POSTing it, so only one of them delivers it; a lease
 * left by a process that died runs out and the row is due again.
 */

/** One delivery as the loop needs it. */
export interface DeliveryRow {
  id: string
  url: string
  /** The whole `Authorization` header value, or '' for none. */
  authorization: string
  body: string
  attempts: number
}

/** The table behind a queue. */
export interface DeliveryTable {
  /** Pending rows due at `now`, oldest first. */
  due(now: number, limit: number): Promise<DeliveryRow[]>
  /**
   * Leases row `id` to this process until `leaseUntil` when it is still pending, due at `now` and
   * at `attempts` (a guarded update): false when another process has it. Optional: a table used by
   * one process only may omit it.
   */
  claim?(id: string, o: { attempts: number; now: number; leaseUntil: number }): Promise<boolean>
  /** Records an attempt's outcome. */
  settle(
    id: string,
    outcome: { state: 'pending' | 'delivered' | 'failed'; attempts: number; nextAttemptAt: number },
  ): Promise<void>
}

export interface DeliveryOptions {
  now: () => number
  /** First retry delay (ms); doubles per attempt. */
  retryBaseMs?: number
  retryMaxMs?: number
  maxAttempts?: number
  /** Per request. */
  timeoutMs?: number
  /** How often due deliveries are looked for (ms). */
  pollMs?: number
  onError?: (err: unknown) => void
}

export class DeliveryQueue {
  readonly #table: DeliveryTable
  readonly #o: Required<Omit<DeliveryOptions, 'onError'>> & Pick<DeliveryOptions, 'onError'>
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined

  constructor(table: DeliveryTable, options: DeliveryOptions) {
    this.#table = table
    this.#o = {
      retryBaseMs: 1000,
      retryMaxMs: 300_000,
      maxAttempts: 10,
      timeoutMs: 5000,
      pollMs: 250,
      ...options,
    }
  }

  /** Starts the loop. */
  start(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => this.kick(), this.#o.pollMs)
    this.#timer.unref()
    this.kick()
  }

  /** Stops the loop and waits for deliveries in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running
  }

  /** Looks for due deliveries now (after a new one was queued). */
  kick(): void {
    if (this.#timer === undefined || this.#running !== undefined) return
    this.#running = this.deliverDue()
      .then(() => undefined)
      .catch((err: unknown) => this.#o.onError?.(err))
      .finally(() => {
        this.#running = undefined
      })
  }

  /** Delivers every due row once; returns how many were delivered. */
  async deliverDue(): Promise<number> {
    const due = await this.#table.due(this.#o.now(), 50)
    const results = await Promise.all(due.map((row) => this.#deliver(row)))
    return results.filter(Boolean).length
  }

  async #deliver(row: DeliveryRow): Promise<boolean> {
    if (!(await this.#claim(row))) return false
    const ok = await this.#post(row)
    const attempts = row.attempts + 1
    const delay = Math.min(this.#o.retryBaseMs * 2 ** row.attempts, this.#o.retryMaxMs)
    const state = ok ? 'delivered' : attempts >= this.#o.maxAttempts ? 'failed' : 'pending'
    await this.#table.settle(row.id, { state, attempts, nextAttemptAt: this.#o.now() + delay })
    return ok
  }

  #claim(row: DeliveryRow): Promise<boolean> {
    const now = this.#o.now()
    // The lease outlasts the POST's time-out, so a slow delivery is not started twice.
    const leaseUntil = now + 2 * this.#o.timeoutMs
    return this.#table.claim?.(row.id, { attempts: row.attempts, now, leaseUntil }) ?? Promise.resolve(true)
  }

  async #post(row: DeliveryRow): Promise<boolean> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (row.authorization !== '') headers['authorization'] = row.authorization
    try {
      const res = await fetch(row.url, {
        method: 'POST',
        headers,
        body: row.body,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      })
      await res.arrayBuffer()
      return res.ok
    } catch {
      return false
    }
  }
}
