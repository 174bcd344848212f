/**
 * The hub (PROTOCOLS.md P4 §14.2, §14.4, §14.5): the live legs of every channel, delivery to a
 * role (live when a ready connection exists, else the persisted queue), the queue handed over
 * after `join.success`, expiry and close, and the heartbeat. All deliveries of one channel run
 * one at a time (a mutex per channel) so every role sees messages in arrival order, once. What a
 * connection was given but never wrote out (closed for back-pressure, §14.7, or dropped) goes
 * back to its role's queue before anything newer. The merchant's last sighting is also stored,
 * so customers may still join within 60 s of it after a relay restart (§14.2).
 *
 * In a cluster (a `Bus` that is `clustered`) every message is appended to the shared queue first,
 * then written to the local legs and announced to the other instances, whose legs write it too;
 * an entry stays in the queue until some leg wrote it out, so a message accepted by an instance
 * that dies before writing it is handed over at the next join, on any instance.
 */
import type { Logger } from 'pino'
import type { Clock } from '../core/clock.ts'
import { type Envelope, envelope, type RelayRole } from '../p4/relay-envelope.ts'
import { type Bus, MemoryBus, type QueuedMessage } from './bus.ts'
import type { Channels } from './channels.ts'
import type { Connection, Outgoing } from './connection.ts'
import { LiveChannel } from './live-channel.ts'
import type { RelayQueue } from './queue.ts'

/** A merchant connection within this long counts as present for customer joins (§14.2). */
export const MERCHANT_GRACE_MS = 60_000
export { LiveChannel } from './live-channel.ts'

export interface HubDeps {
  channels: Channels
  queue: RelayQueue
  clock: Clock
  /** Other instances (default: none, the in-process bus). */
  bus?: Bus
  logger?: Logger
}

export type Delivery = 'sent' | 'queued' | 'duplicate' | 'full'

export class Hub {
  readonly #deps: HubDeps
  readonly #bus: Bus
  readonly #live = new Map<string, LiveChannel>()
  readonly #merchantSeenAt = new Map<string, number>()
  #stopped = false
  /** Answers a bridged request from another instance with the local merchant's reply (set by the bridge). */
  answerBridge: ((live: LiveChannel, message: Envelope) => Promise<Envelope>) | undefined

  constructor(deps: HubDeps) {
    this.#deps = deps
    this.#bus = deps.bus ?? new MemoryBus()
  }

  get bus(): Bus {
    return this.#bus
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
    this.#attach(live)
    if (conn.role === 'merchant') {
      live.merchant?.close(4000, 'replaced')
      live.merchant = conn
      this.#sawMerchant(live.id)
      this.#holdMerchant(live)
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
      live.detachMerchant?.()
      live.detachMerchant = undefined
      if (!this.#stopped) this.#sawMerchant(live.id)
    }
    live.customers.delete(conn)
    if (conn.unwritten.size > 0) live.departed.push(conn)
    live.mutex
      .run(async () => {
        await this.#requeueDeparted(live)
        if (live.connections.length === 0) this.#forget(live)
      })
      .catch((err: unknown) => this.#deps.logger?.error({ err }, 'relay requeue failed'))
  }

  /** Delivers `message` to `role` on `live` (call inside `live.mutex`). */
  async deliver(live: LiveChannel, role: RelayRole, message: Envelope): Promise<Delivery> {
    const key = `${role}:${message.messageId}`
    if (live.seenBefore(key)) return 'duplicate'
    if (this.#bus.clustered) return this.#deliverClustered(live, role, message, key)
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

  /** Cluster: the queue first (shared, de-duplicated), then the local legs, then the other instances. */
  async #deliverClustered(
    live: LiveChannel,
    role: RelayRole,
    message: Envelope,
    key: string,
  ): Promise<Delivery> {
    const frame = JSON.stringify(message)
    const now = this.#deps.clock.now()
    const appended = await this.#deps.queue.append(
      live.id,
      role,
      { messageId: message.messageId, frame },
      now,
    )
    if (appended.status === 'duplicate') live.remember(key)
    if (appended.status !== 'queued') return appended.status
    live.remember(key)
    const queued: QueuedMessage = { id: appended.id, messageId: message.messageId, frame }
    const sent = this.#writeQueued(live, role, queued, frame)
    this.#bus.queued(live.id, role, queued)
    return sent ? 'sent' : 'queued'
  }

  /** Writes a queued entry to the ready local legs of `role`; the first write marks it done. */
  #writeQueued(live: LiveChannel, role: RelayRole, entry: QueuedMessage, frame: string): boolean {
    const targets = (role === 'merchant' ? [live.merchant] : [...live.customers]).filter(
      (c): c is Connection => c?.ready === true && c.open,
    )
    const written = () =>
      void this.#deps.queue
        .remove(entry.id)
        .catch((err: unknown) => this.#deps.logger?.error({ err }, 'dequeue failed'))
    let sent = false
    for (const conn of targets) if (conn.send({ messageId: entry.messageId, frame, written })) sent = true
    return sent
  }

  /** Another instance queued `entry` for `role` of the channel: write it to the legs here, once. */
  async #heard(id: string, role: RelayRole, entry: QueuedMessage): Promise<void> {
    const live = this.#live.get(id)
    if (live === undefined) return
    await live.mutex.run(async () => {
      const key = `${role}:${entry.messageId}`
      const here =
        role === 'merchant' ? live.merchant?.ready === true : [...live.customers].some((c) => c.ready)
      if (!here || live.seenBefore(key)) return
      const frame = entry.frame ?? (await this.#deps.queue.get(entry.id))?.frame
      if (frame === undefined) return
      if (this.#writeQueued(live, role, entry, frame)) live.remember(key)
    })
  }

  /**
   * Cluster safety net: writes entries still pending after `ageMs` to the ready legs here that have
   * not had them, in case their announcement was lost (NATS down or reconnecting).
   */
  async sweep(ageMs: number): Promise<void> {
    if (!this.#bus.clustered) return
    const ready = this.channels.filter((live) => live.connections.some((c) => c.ready))
    const before = this.#deps.clock.now() - ageMs
    for (let i = 0; i < ready.length; i += 500) {
      const ids = ready.slice(i, i + 500).map((live) => live.id)
      for (const entry of await this.#deps.queue.pendingOf(ids, before, 1000))
        await this.#heard(entry.channelId, entry.role, entry)
    }
  }

  /** Delivers to `role` of channel `id` whether or not anyone is connected (proofs). */
  deliverTo(id: string, expiresAt: number, role: RelayRole, message: Envelope): Promise<Delivery> {
    const live = this.live(id, expiresAt)
    return live.mutex.run(async () => {
      const result = await this.deliver(live, role, message)
      if (live.connections.length === 0) this.#forget(live)
      return result
    })
  }

  /** Whether a merchant may be reached on `id`: here, within the grace period, or on another instance. */
  async merchantReachable(id: string, storedSeenAt: number | null): Promise<boolean> {
    return this.merchantPresent(id, storedSeenAt) || (await this.#bus.merchantElsewhere(id))
  }

  /** Ends the legs of a closed channel here and on every other instance (§14.5). */
  async endChannel(id: string): Promise<void> {
    this.#bus.ended(id)
    const live = this.#live.get(id)
    if (live === undefined) return
    live.closing = true
    await this.end(live)
  }

  /** Listens on the bus for this channel while any leg is here. */
  #attach(live: LiveChannel): void {
    if (live.detach !== undefined || !this.#bus.clustered) return
    live.detach = this.#bus.attach(live.id, {
      queued: (role, entry) => this.#heard(live.id, role, entry),
      ended: async () => {
        live.closing = true
        await this.end(live)
      },
    })
  }

  /** Answers presence checks and bridged calls for this channel while its merchant is here. */
  #holdMerchant(live: LiveChannel): void {
    if (live.detachMerchant !== undefined || !this.#bus.clustered) return
    live.detachMerchant = this.#bus.holdMerchant(live.id, (message) => {
      if (this.answerBridge === undefined) return Promise.reject(new Error('no bridge'))
      return this.answerBridge(live, message)
    })
  }

  /** Drops the live state of a channel with no legs here, and its bus listeners. */
  #forget(live: LiveChannel): void {
    if (this.#live.get(live.id) === live) this.#live.delete(live.id)
    live.detach?.()
    live.detachMerchant?.()
    live.detach = undefined
    live.detachMerchant = undefined
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
      live.remember(`${conn.role}:${entry.messageId}`)
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
      // An ACK seen by another instance (or before a restart) may have pushed the expiry out.
      const stored = await this.#deps.channels.get(live.id)
      if (stored !== undefined && stored.expiresAt > now) {
        live.expiresAt = stored.expiresAt
        continue
      }
      this.#forget(live)
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
      this.#forget(live)
    }
  }
}
