/**
 * The hub (PROTOCOLS.md P4 §14.2, §14.4, §14.5): the live legs of every channel, delivery to a
 * role (live when a ready connection exists, else the persisted queue), the queue handed over
 * after `join.success`, expiry and close, and the heartbeat. All deliveries of one channel run
 * one at a time (a mutex per channel) so every role sees messages in arrival order, once. What a
 * connection was given but never wrote out (closed for back-pressure, §14.7, or dropped) goes
 * back to its role's queue before anything newer. The merchant's last sighting is also stored,
 * so customers may still join within 60 s of it after a relay restart (§14.2).
 */
import type { Logger } from 'pino'
import type { Clock } from '../core/clock.ts'
import { Mutex } from '../core/mutex.ts'
import { type Envelope, envelope, type RelayRole } from '../p4/relay-envelope.ts'
import type { Channels } from './channels.ts'
import type { Connection, Outgoing } from './connection.ts'
import type { RelayQueue } from './queue.ts'

/** A merchant connection within this long counts as present for customer joins (§14.2). */
export const MERCHANT_GRACE_MS = 60_000
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

export interface HubDeps {
  channels: Channels
  queue: RelayQueue
  clock: Clock
  logger?: Logger
}

export type Delivery = 'sent' | 'queued' | 'duplicate' | 'full'

export class Hub {
  readonly #deps: HubDeps
  readonly #live = new Map<string, LiveChannel>()
  readonly #merchantSeenAt = new Map<string, number>()
  #stopped = false

  constructor(deps: HubDeps) {
    this.#deps = deps
  }

  /** The live state of `id`, created on first use. */
  live(id: string, expiresAt: number): LiveChannel {
    let live = this.#live.get(id)
    if (live === undefined) {
      live = new LiveChannel(id, expiresAt)
      this.#live.set(id, live)
    }
    return live
  }

  /** The live state of `id` if it has any. */
  find(id: string): LiveChannel | undefined {
    return this.#live.get(id)
  }

  /** Every channel with live state. */
  get channels(): LiveChannel[] {
    return [...this.#live.values()]
  }

  /** Whether a merchant is connected to `id` now, or was within the last 60 s (`storedSeenAt`: the store's record). */
  merchantPresent(id: string, storedSeenAt: number | null = null): boolean {
    if (this.#live.get(id)?.merchant !== undefined) return true
    const seen = Math.max(this.#merchantSeenAt.get(id) ?? 0, storedSeenAt ?? 0)
    return this.#deps.clock.now() - seen < MERCHANT_GRACE_MS
  }

  /** Registers a joined connection: `join.success`, then its queue, then live traffic (§14.2). */
  join(live: LiveChannel, conn: Connection): Promise<void> {
    if (conn.role === 'merchant') {
      live.merchant?.close(4000, 'replaced')
      live.merchant = conn
      this.#sawMerchant(live.id)
    } else {
      live.customers.add(conn)
    }
    return live.mutex.run(async () => {
      const expires = new Date(live.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z')
      conn.send(
        this.#frame(live, {
          type: 'join.success',
          clientID: conn.id,
          headers: { 'X-Channel-Expires': [expires] },
        }),
      )
      await this.#handOver(live, conn)
      conn.ready = true
      if (live.closing) this.#endConnection(live, conn)
    })
  }

  /** Forgets a closed connection; what it never wrote out goes back to the queue. */
  leave(live: LiveChannel, conn: Connection): void {
    if (live.merchant === conn) {
      live.merchant = undefined
      if (!this.#stopped) this.#sawMerchant(live.id)
    }
    live.customers.delete(conn)
    if (conn.unwritten.size > 0) live.departed.push(conn)
    live.mutex
      .run(async () => {
        await this.#requeueDeparted(live)
        if (live.connections.length === 0 && this.#live.get(live.id) === live) this.#live.delete(live.id)
      })
      .catch((err: unknown) => this.#deps.logger?.error({ err }, 'relay requeue failed'))
  }

  /** Delivers `message` to `role` on `live` (call inside `live.mutex`). */
  async deliver(live: LiveChannel, role: RelayRole, message: Envelope): Promise<Delivery> {
    const key = `${role}:${message.messageId}`
    if (live.seenBefore(key)) return 'duplicate'
    await this.#requeueDeparted(live)
    const frame = JSON.stringify(message)
    const targets = (role === 'merchant' ? [live.merchant] : [...live.customers]).filter(
      (c): c is Connection => c?.ready === true && c.open,
    )
    let sent = false
    for (const conn of targets) {
      if (conn.send({ messageId: message.messageId, frame })) sent = true
      else await this.#requeue(live, conn)
    }
    if (sent) {
      live.remember(key)
      return 'sent'
    }
    const queued = { messageId: message.messageId, frame }
    const result = await this.#deps.queue.push(live.id, role, queued, this.#deps.clock.now())
    if (result === 'queued') live.remember(key)
    return result
  }

  /** Delivers to `role` of channel `id` whether or not anyone is connected (proofs). */
  deliverTo(id: string, expiresAt: number, role: RelayRole, message: Envelope): Promise<Delivery> {
    const live = this.live(id, expiresAt)
    return live.mutex.run(async () => {
      const result = await this.deliver(live, role, message)
      if (live.connections.length === 0) this.#live.delete(id)
      return result
    })
  }

  /** A relay message for `live` with every envelope key. */
  #frame(live: LiveChannel, fields: Partial<Envelope> & { type: string }): string {
    return JSON.stringify(envelope({ appId: 'p4', ...fields, channelId: live.id }, this.#deps.clock.now()))
  }

  /** Sends the queue of `conn`'s role; an entry is deleted once written, so a slow reader keeps the rest. */
  async #handOver(live: LiveChannel, conn: Connection): Promise<void> {
    await this.#requeueDeparted(live)
    const queue = this.#deps.queue
    for (const entry of await queue.list(live.id, conn.role)) {
      const written = () =>
        void queue
          .remove(entry.id)
          .catch((err: unknown) => this.#deps.logger?.error({ err }, 'dequeue failed'))
      if (!conn.send({ messageId: entry.messageId, frame: entry.frame, written })) return
    }
  }

  /** Puts what `conn` never wrote out back in its role's queue, oldest first (queued entries stay). */
  async #requeue(live: LiveChannel, conn: Connection): Promise<void> {
    const unwritten: Outgoing[] = [...conn.unwritten]
    conn.unwritten.clear()
    for (const m of unwritten) await this.#deps.queue.push(live.id, conn.role, m, this.#deps.clock.now())
  }

  async #requeueDeparted(live: LiveChannel): Promise<void> {
    for (const conn of live.departed.splice(0)) await this.#requeue(live, conn)
  }

  /** Records a merchant sighting, in memory and in the store (for a restarted relay). */
  #sawMerchant(id: string): void {
    const now = this.#deps.clock.now()
    this.#merchantSeenAt.set(id, now)
    this.#deps.channels
      .merchantSeen(id, now)
      .catch((err: unknown) => this.#deps.logger?.error({ err }, 'merchant sighting not stored'))
  }

  #endConnection(live: LiveChannel, conn: Connection): void {
    conn.send(this.#frame(live, { type: 'channel.expired' }))
    conn.close(1000, 'channel.expired')
  }

  /** Ends every connection of `live` (expiry or close, §14.5) once pending deliveries are written. */
  end(live: LiveChannel): Promise<void> {
    return live.mutex.run(() => {
      for (const conn of live.connections) if (conn.ready) this.#endConnection(live, conn)
    })
  }

  /** Expires live channels past `expiresAt` (§14.5: within 1 s); forgets stale merchant sightings. */
  async tick(): Promise<void> {
    const now = this.#deps.clock.now()
    for (const live of this.channels) {
      if (now < live.expiresAt) continue
      this.#live.delete(live.id)
      await this.#deps.channels.move(live.id, 'expired')
      await this.end(live)
    }
    for (const [id, at] of this.#merchantSeenAt)
      if (now - at >= MERCHANT_GRACE_MS) this.#merchantSeenAt.delete(id)
  }

  /** One heartbeat round: terminates peers that did not answer the last ping, pings the rest. */
  heartbeat(): void {
    for (const live of this.channels) {
      for (const conn of live.connections) {
        if (!conn.alive) {
          conn.socket.terminate()
          continue
        }
        conn.alive = false
        conn.socket.ping()
      }
    }
  }

  /** Closes every connection (relay shutdown: 1001 "going away"), storing when each merchant was last seen. */
  async stop(): Promise<void> {
    this.#stopped = true
    const now = this.#deps.clock.now()
    for (const live of this.channels) {
      if (live.merchant !== undefined) await this.#deps.channels.merchantSeen(live.id, now)
      for (const conn of live.connections) conn.close(1001, 'relay stopping')
    }
    this.#live.clear()
  }
}
