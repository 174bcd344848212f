/**
 * The point-of-sale page's live status (issue 8): every page that has signed in over the
 * websocket gets the whole list (invoices and Amiko requests) at once, then again each time it
 * changes. The store is read twice a second while at least one page listens, and not at all
 * otherwise: payments reach the merchant from several paths (its own endpoints, the relay, the
 * proof sink, polling), and reading their outcome where it is durable covers every one of them.
 */
import type { Logger } from 'pino'
import type { Clock } from '../core/clock.ts'
import type { Store } from '../store/index.ts'
import { type PosInvoice, recentInvoices } from './pos-activity.ts'
import type { PosAmiko, PosAmikoRequest } from './pos-amiko.ts'

/** What a page receives: `{"type": "activity", …}`. */
export interface PosActivity {
  type: 'activity'
  invoices: PosInvoice[]
  amiko: PosAmikoRequest[] | null
}

/** A listening page: something a text frame can be sent to. */
export interface PosListener {
  send(text: string): void
}

export interface PosFeedOptions {
  store: Store
  clock: Clock
  amiko: PosAmiko | undefined
  /** How often the store is read while pages listen (ms); default 500. */
  intervalMs?: number
  logger?: Logger
}

export class PosFeed {
  readonly #o: PosFeedOptions
  readonly #listeners = new Set<PosListener>()
  #last: string | undefined
  #timer: NodeJS.Timeout | undefined
  #busy = false

  constructor(o: PosFeedOptions) {
    this.#o = o
  }

  /** The Amiko requests, when the merchant has a node. */
  get amiko(): PosAmiko | undefined {
    return this.#o.amiko
  }

  /** The current activity, read now. */
  async activity(): Promise<PosActivity> {
    await this.#o.amiko?.refresh()
    return {
      type: 'activity',
      invoices: await recentInvoices(this.#o.store, this.#o.clock.now()),
      amiko: this.#o.amiko?.list() ?? null,
    }
  }

  /** Adds a page: it gets the activity now and on every change until `remove`. */
  add(listener: PosListener): void {
    this.#listeners.add(listener)
    if (this.#last !== undefined) listener.send(this.#last)
    this.#timer ??= setInterval(() => this.#tick(), this.#o.intervalMs ?? 500)
    this.#tick()
  }

  remove(listener: PosListener): void {
    this.#listeners.delete(listener)
    if (this.#listeners.size > 0) return
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#last = undefined
  }

  /** Something changed here (an invoice or request just made): tell the pages without waiting. */
  nudge(): void {
    if (this.#listeners.size > 0) this.#tick()
  }

  close(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#listeners.clear()
  }

  #tick(): void {
    if (this.#busy) return
    this.#busy = true
    this.activity()
      .then((activity) => {
        const text = JSON.stringify(activity)
        if (text === this.#last) return
        this.#last = text
        for (const l of this.#listeners) l.send(text)
      })
      .catch((err: unknown) => this.#o.logger?.warn({ err }, 'point-of-sale activity read failed'))
      .finally(() => {
        this.#busy = false
      })
  }
}
