/**
 * Durable callback delivery for the devnet's ARC and mAPI APIs. Deliveries are queued in
 * `devnet_callbacks` inside the same store transaction as the ledger change they report, one per
 * (txid, url, status): a status is effective at most once. The shared `DeliveryQueue` POSTs them
 * and retries with back-off while the receiver is down, also after a restart.
 */
import type { PrivateKey } from '@bsv/sdk'
import type { Clock } from '../core/clock.ts'
import { uuid } from '../core/ids.ts'
import { type DeliveryOptions, DeliveryQueue, type DeliveryTable } from '../store/delivery-queue.ts'
import type { Store, Tx } from '../store/index.ts'
import { buildCallback } from './callback-bodies.ts'
import type { CallbackSink, Subscription, TxEvent } from './subscription.ts'

export interface CallbackQueueOptions extends Omit<DeliveryOptions, 'now'> {
  clock: Clock
  minerKey: PrivateKey
}

export class CallbackQueue implements CallbackSink {
  readonly #store: Store
  readonly #clock: Clock
  readonly #minerKey: PrivateKey
  readonly #queue: DeliveryQueue

  constructor(store: Store, options: CallbackQueueOptions) {
    const { clock, minerKey, ...delivery } = options
    this.#store = store
    this.#clock = clock
    this.#minerKey = minerKey
    this.#queue = new DeliveryQueue(callbacksTable(store), { ...delivery, now: () => clock.now() })
  }

  async enqueue(db: Tx, sub: Subscription, event: TxEvent): Promise<void> {
    const request = buildCallback(sub, event, this.#minerKey)
    if (request === null) return
    const now = this.#clock.now()
    await db
      .insertInto('devnet_callbacks')
      .values({
        id: uuid(),
        txid: event.txid,
        url: sub.url,
        token: request.authorization,
        status: request.status,
        body: request.body,
        attempts: 0,
        next_attempt_at: now,
        state: 'pending',
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['txid', 'url', 'status']).doNothing())
      .execute()
    this.#queue.kick()
  }

  start(): void {
    this.#queue.start()
  }

  stop(): Promise<void> {
    return this.#queue.stop()
  }

  /** Delivers every due callback once; returns how many were delivered. */
  deliverDue(): Promise<number> {
    return this.#queue.deliverDue()
  }

  /** Deliveries not yet made (pending), for status pages and tests. */
  async pending(): Promise<number> {
    const row = await this.#store.db
      .selectFrom('devnet_callbacks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
}

function callbacksTable(store: Store): DeliveryTable {
  return {
    due: (now, limit) =>
      store.db
        .selectFrom('devnet_callbacks')
        .select(['id', 'url', 'token as authorization', 'body', 'attempts'])
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute(),
    settle: async (id, o) => {
      await store.db
        .updateTable('devnet_callbacks')
        .set({ state: o.state, attempts: o.attempts, next_attempt_at: o.nextAttemptAt })
        .where('id', '=', id)
        .execute()
    },
  }
}
