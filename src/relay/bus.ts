/**
 * The relay bus: how relay instances reach each other (DESIGN.md "relay fan-out across
 * instances"). One instance alone uses the in-process bus, which reaches no one: every leg of a
 * channel is local and the hub delivers as it always did. In a cluster (`nats-bus.ts`) an
 * instance holding a leg of a channel hears what the others queued for it, the instance holding
 * the merchant's socket answers presence checks and bridged REST calls (§14.6), and a channel
 * closed on one instance ends its legs on all.
 */
import { PaylinkError } from '../core/errors.ts'
import type { Envelope, RelayRole } from '../p4/relay-envelope.ts'

/** A message queued in the store for a role (its row id), as another instance announces it. */
export interface QueuedMessage {
  id: string
  messageId: string
  /** The frame; absent when too large for a bus message (read from the queue then). */
  frame?: string
}

/** What an instance holding any leg of a channel is told. */
export interface ChannelListener {
  /** Another instance queued `message` for `role`: write it to the local legs of that role. */
  queued(role: RelayRole, message: QueuedMessage): Promise<void>
  /** The channel was closed on another instance (§14.5): end the local legs. */
  ended(): Promise<void>
}

/** Answers a bridged request with the merchant's reply (or throws a `PaylinkError`). */
export type BridgeAnswerer = (message: Envelope) => Promise<Envelope>

/** Stops listening. */
export type Detach = () => void

export interface Bus {
  /** Whether other instances may exist: the store's queue is then the path of every message. */
  readonly clustered: boolean
  /** Listens for channel `channelId` while this instance holds a leg of it. */
  attach(channelId: string, listener: ChannelListener): Detach
  /** Listens for presence checks and bridged calls while this instance holds the merchant's socket. */
  holdMerchant(channelId: string, answer: BridgeAnswerer): Detach
  /** Tells every other instance holding `channelId` that `message` waits in the queue of `role`. */
  queued(channelId: string, role: RelayRole, message: QueuedMessage): void
  /** Tells every other instance that `channelId` was closed. */
  ended(channelId: string): void
  /** Whether another instance holds the merchant's socket of `channelId` (false at once when none). */
  merchantElsewhere(channelId: string): Promise<boolean>
  /**
   * Sends a bridged request to the instance holding the merchant's socket; resolves with the
   * reply. No instance holds it → `PL5002` at once; no reply in `timeoutMs` → `PL5006`.
   */
  bridge(channelId: string, message: Envelope, timeoutMs: number): Promise<Envelope>
  close(): Promise<void>
}

const detached: Detach = () => undefined

/** The single-instance bus: nothing to reach, nothing to hear. */
export class MemoryBus implements Bus {
  readonly clustered = false

  attach(): Detach {
    return detached
  }

  holdMerchant(): Detach {
    return detached
  }

  queued(): void {}

  ended(): void {}

  async merchantElsewhere(): Promise<boolean> {
    return false
  }

  async bridge(): Promise<Envelope> {
    throw new PaylinkError('PL5002', 'the merchant is not connected')
  }

  async close(): Promise<void> {}
}
