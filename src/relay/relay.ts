/**
 * The relay (the public "P4 server", PROTOCOLS.md P4 §14) as one object: store-backed channels
 * and queues, the hub of live connections, the REST↔websocket bridge and the HTTP server, plus
 * the expiry ticker (§14.5: within 1 s) and the heartbeat (ping every 30 s). `Relay.open` builds
 * it without listening; `listen` binds the port. Given a clustered `bus` it is one instance of a
 * cluster sharing its PostgreSQL store (see `hub.ts`), and sweeps the shared queue every 2 s for
 * messages whose bus announcement was lost.
 */

import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { type Clock, systemClock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { listenOn } from '../server/listen.ts'
import type { Store } from '../store/index.ts'
import { buildRelayApp } from './app.ts'
import { Bridge } from './bridge.ts'
import type { Bus } from './bus.ts'
import { MAX_OPEN_PER_KEY } from './channel-routes.ts'
import { Channels } from './channels.ts'
import { MAX_BUFFERED } from './connection.ts'
import { Hub } from './hub.ts'
import { type IpCaps, IpLimits } from './ip-limits.ts'
import { addMerchantKey, loadMerchantKeyHashes } from './merchant-keys.ts'
import { RelayQueue } from './queue.ts'

/** How often a cluster instance looks for queued messages its legs missed, and how old they must be. */
const SWEEP_EVERY_MS = 2000
const SWEEP_AGE_MS = 2000

export interface RelayOptions {
  store: Store
  /** Public origin customers and merchants reach (no trailing slash). */
  publicUrl: string
  /** Default channel lifetime, seconds (7200). */
  channelTtl?: number
  /** How long a bridged call waits for the merchant, ms (10 s). */
  bridgeTimeoutMs?: number
  /** Largest websocket frame, bytes (1 MiB). */
  maxPayload?: number
  /** Merchant keys to accept besides the stored ones (stored as hashes). */
  merchantKeys?: readonly string[]
  /** Per-IP caps (§14.7): open sockets (32), joins a minute (60), REST requests a minute (120). */
  ipCaps?: IpCaps
  /** Open channels per merchant key (10,000; §14.1). */
  maxOpenChannels?: number
  /** Unsent bytes past which a peer that does not read is closed with 1013, bytes (1 MiB; §14.7). */
  maxBuffered?: number
  /**
   * Other instances of a cluster (`NatsBus`); default none. A cluster shares its store, so it
   * must be PostgreSQL. The caller closes the bus after the relay.
   */
  bus?: Bus
  /** Heartbeat period, ms (30 s). */
  pingMs?: number
  clock?: Clock
  logger?: Logger
}

export class Relay {
  readonly app: FastifyInstance
  readonly hub: Hub
  #timers: NodeJS.Timeout[] = []

  private constructor(app: FastifyInstance, hub: Hub) {
    this.app = app
    this.hub = hub
  }

  static async open(o: RelayOptions): Promise<Relay> {
    const clock = o.clock ?? systemClock
    const clustered = o.bus?.clustered === true
    if (clustered && o.store.engine !== 'postgres') {
      throw new PaylinkError(
        'PL8001',
        'a relay cluster (--nats) needs a shared PostgreSQL store (--db postgres://…)',
      )
    }
    const publicUrl = o.publicUrl.replace(/\/+$/, '')
    for (const key of o.merchantKeys ?? []) await addMerchantKey(o.store, key, clock.now())
    const keyHashes = await loadMerchantKeyHashes(o.store)
    const channels = new Channels(o.store, clock)
    const queue = new RelayQueue(o.store, { tombstones: clustered })
    const hub = new Hub({
      channels,
      queue,
      clock,
      ...(o.bus === undefined ? {} : { bus: o.bus }),
      ...(o.logger === undefined ? {} : { logger: o.logger }),
    })
    const bridge = new Bridge(hub, clock, o.bridgeTimeoutMs ?? 10_000)
    const limits = new IpLimits(clock, o.ipCaps)
    const recordAck = (id: string, txid: string | null, until: number) => channels.recordAck(id, txid, until)
    const app = await buildRelayApp({
      channels: {
        channels,
        hub,
        clock,
        publicUrl,
        defaultTtlSeconds: o.channelTtl ?? 7200,
        maxOpenPerKey: o.maxOpenChannels ?? MAX_OPEN_PER_KEY,
        keyHashes: () => keyHashes,
      },
      ws: {
        channels,
        queue,
        hub,
        clock,
        frames: { hub, bridge, clock, recordAck },
        limits,
        maxBuffered: o.maxBuffered ?? MAX_BUFFERED,
      },
      bridge: { bridge, channels, clock, publicUrl, maxBody: 64 * 1024 },
      proofs: { channels, hub, clock },
      limits,
      maxPayload: o.maxPayload ?? 1024 * 1024,
      ...(o.logger === undefined ? {} : { logger: o.logger }),
    })
    const relay = new Relay(app, hub)
    relay.#start(o.pingMs ?? 30_000, o.logger)
    return relay
  }

  #start(pingMs: number, logger: Logger | undefined): void {
    const tick = setInterval(() => {
      this.hub.tick().catch((err: unknown) => logger?.error({ err }, 'relay expiry tick failed'))
    }, 250)
    const ping = setInterval(() => this.hub.heartbeat(), pingMs)
    // Cluster only (a no-op otherwise): messages whose bus announcement was lost.
    const sweep = setInterval(() => {
      this.hub.sweep(SWEEP_AGE_MS).catch((err: unknown) => logger?.error({ err }, 'relay queue sweep failed'))
    }, SWEEP_EVERY_MS)
    tick.unref()
    ping.unref()
    sweep.unref()
    this.#timers = [tick, ping, sweep]
  }

  /** Binds the server; returns its base URL. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    return listenOn(this.app, port, host)
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t)
    await this.hub.stop()
    await this.app.close()
  }
}
