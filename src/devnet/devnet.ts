/**
 * The devnet as one object: store, keys, ledger, faucet, callback delivery, optional block timer
 * and the HTTP server. `Devnet.open` builds it without listening (tests use `app.inject`);
 * `listen` binds the port.
 */

import { P2PKH } from '@bsv/sdk'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { type Clock, systemClock } from '../core/clock.ts'
import { listenOn } from '../server/listen.ts'
import type { Store } from '../store/index.ts'
import { CallbackQueue, type CallbackQueueOptions } from './callback-queue.ts'
import { Faucet } from './faucet.ts'
import { buildApp } from './http/app.ts'
import { loadKeys } from './keys.ts'
import { Ledger } from './ledger.ts'
import { type ChainParams, DEFAULT_PARAMS, DEFAULT_POLICY, type Policy } from './params.ts'

export interface DevnetOptions {
  store: Store
  /** Mine a block every this many seconds while the mempool holds transactions; 0 = only on request. */
  blockInterval?: number
  policy?: Partial<Policy>
  params?: Partial<ChainParams>
  clock?: Clock
  logger?: Logger
  /** Callback retry tuning (tests shorten it). */
  callbacks?: Pick<
    CallbackQueueOptions,
    'retryBaseMs' | 'retryMaxMs' | 'maxAttempts' | 'timeoutMs' | 'pollMs'
  >
}

/** Where a listening devnet answers. */
export interface DevnetUrls {
  base: string
  arc: string
  mapi: string
  headers: string
  faucet: string
}

export class Devnet {
  readonly app: FastifyInstance
  readonly ledger: Ledger
  readonly faucet: Faucet
  readonly callbacks: CallbackQueue
  readonly policy: Policy
  readonly #logger: Logger | undefined
  #miner: NodeJS.Timeout | undefined
  #urls: DevnetUrls | undefined

  private constructor(parts: {
    app: FastifyInstance
    ledger: Ledger
    faucet: Faucet
    callbacks: CallbackQueue
    policy: Policy
    logger: Logger | undefined
  }) {
    this.app = parts.app
    this.ledger = parts.ledger
    this.faucet = parts.faucet
    this.callbacks = parts.callbacks
    this.policy = parts.policy
    this.#logger = parts.logger
  }

  /** Opens the devnet on `store` (creating genesis on first use) and starts its background work. */
  static async open(opts: DevnetOptions): Promise<Devnet> {
    const clock = opts.clock ?? systemClock
    const policy = { ...DEFAULT_POLICY, ...opts.policy }
    const params = { ...DEFAULT_PARAMS, ...opts.params }
    const keys = await loadKeys(opts.store)
    const callbacks = new CallbackQueue(opts.store, {
      clock,
      minerKey: keys.miner,
      ...opts.callbacks,
      onError: (err) => opts.logger?.error({ err }, 'callback delivery failed'),
    })
    const ledger = await Ledger.open(opts.store, {
      params,
      policy,
      clock,
      genesisScript: new P2PKH().lock(keys.faucet.toAddress()),
      minerScript: new P2PKH().lock(keys.miner.toAddress()),
      callbacks,
    })
    const faucet = new Faucet(ledger, keys.faucet, policy)
    const app = buildApp({
      ledger,
      faucet,
      policy,
      minerKey: keys.miner,
      ...(opts.logger ? { logger: opts.logger } : {}),
    })
    const devnet = new Devnet({
      app,
      ledger,
      faucet,
      callbacks,
      policy,
      logger: opts.logger,
    })
    callbacks.start()
    devnet.#startMiner(opts.blockInterval ?? 0)
    return devnet
  }

  #startMiner(seconds: number): void {
    if (seconds <= 0) return
    this.#miner = setInterval(() => {
      if (this.ledger.mempoolSize === 0) return
      this.ledger.mine(1).catch((err: unknown) => this.#logger?.error({ err }, 'mining failed'))
    }, seconds * 1000)
  }

  /** Binds the HTTP server; returns its URLs. */
  async listen(port: number, host = '127.0.0.1'): Promise<DevnetUrls> {
    const base = await listenOn(this.app, port, host)
    this.#urls = { base, arc: base, mapi: `${base}/mapi`, headers: base, faucet: `${base}/devnet/faucet` }
    return this.#urls
  }

  get urls(): DevnetUrls | undefined {
    return this.#urls
  }

  /** Stops mining, callbacks and the server; the store stays open (its owner closes it). */
  async close(): Promise<void> {
    clearInterval(this.#miner)
    await this.app.close()
    await this.callbacks.stop()
  }
}
