/**
 * The live state of one relay channel on this instance (PROTOCOLS.md P4 §14.2): its legs, the
 * mutex that orders its deliveries, the last 1000 delivered keys (de-duplication), connections
 * whose unwritten messages still go back to the queue, and, in a cluster, its bus listeners.
 */
import { Mutex } from '../core/mutex.ts'
import type { Detach } from './bus.ts'
import type { Connection } from './connection.ts'

const SEEN_IDS = 1000

/** The live state of one channel. */
export class LiveChannel {
  readonly id: string
  merchant: Connection | undefined
  readonly customers = new Set<Connection>()
  readonly mutex = new Mutex()
  /** Delivered keys, oldest first (a Set keeps insertion order). */
  readonly seen = new Set<string>()
  /** Closed connections whose unwritten messages are not yet back in the queue. */
  readonly departed: Connection[] = []
  expiresAt: number
  closing = false
  /** Stops the bus listening for this channel / for its merchant (cluster). */
  detach: Detach | undefined
  detachMerchant: Detach | undefined

  constructor(id: string, expiresAt: number) {
    this.id = id
    this.expiresAt = expiresAt
  }

  /** Every live connection. */
  get connections(): Connection[] {
    return [...(this.merchant === undefined ? [] : [this.merchant]), ...this.customers]
  }

  /** Whether `key` was delivered before (a duplicate). */
  seenBefore(key: string): boolean {
    return this.seen.has(key)
  }

  /** Remembers a delivered `key` (the last 1000 are kept). */
  remember(key: string): void {
    this.seen.add(key)
    if (this.seen.size > SEEN_IDS) {
      const oldest = this.seen.values().next().value
      if (oldest !== undefined) this.seen.delete(oldest)
    }
  }
}
