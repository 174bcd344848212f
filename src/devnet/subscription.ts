/**
 * Callback subscriptions: a broadcaster client asks to be told about a transaction with ARC's
 * `X-CallbackUrl` / `X-CallbackToken` / `X-FullStatusUpdates` or mAPI's `callbackUrl` /
 * `callbackToken`. The ledger records them with the transaction and, in the same store
 * transaction, hands each status change to a `CallbackSink`, which queues the delivery.
 */
import type { MerklePath } from '@bsv/sdk'
import type { Tx } from '../store/index.ts'

export interface Subscription {
  url: string
  /** ARC: the bearer token; mAPI: the whole `Authorization` value as given. */
  token: string
  api: 'arc' | 'mapi'
  /** ARC `X-FullStatusUpdates`: also call back on SEEN_ON_NETWORK. */
  fullStatus: boolean
}

/** A status change of one transaction. */
export interface TxEvent {
  txid: string
  status: 'SEEN_ON_NETWORK' | 'MINED'
  /** Milliseconds since the epoch. */
  timestamp: number
  block?: { hash: string; height: number }
  merklePath?: MerklePath
}

/** Queues deliveries inside the caller's store transaction (durable with the change itself). */
export interface CallbackSink {
  enqueue(db: Tx, sub: Subscription, event: TxEvent): Promise<void>
}
