/**
 * The merchant (payee) service as one object (DESIGN.md `paylink merchant`): store, master key,
 * API keys, broadcaster (ARC or mAPI) and headers clients, fee quotes, invoices, payment
 * requests, payments and the HTTP server. `Merchant.open` builds it without listening (tests use
 * `app.inject`); `listen` binds the port.
 */
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { AmikoNode } from '../amiko/node/node.ts'
import { ArcClient } from '../chain/arc-client.ts'
import type { Broadcaster } from '../chain/broadcast-result.ts'
import { HeadersClient } from '../chain/headers-client.ts'
import { MapiClient } from '../chain/mapi-client.ts'
import { type Clock, systemClock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { DEFAULT_FEE_RATES } from '../p4/fees.ts'
import type { MerchantDetails } from '../p4/merchant.ts'
import type { P4Network } from '../p4/payment-terms.ts'
import { listenOn } from '../server/listen.ts'
import type { Store } from '../store/index.ts'
import type { MerchantChannelsTable } from '../store/schema.ts'
import { ensureApiKey, loadApiKeyHashes } from './api-keys.ts'
import { BroadcastStep } from './broadcast-step.ts'
import { FeeQuotes, type FeeSource } from './fee-quotes.ts'
import { buildMerchantApp } from './http/app.ts'
import { Invoices } from './invoices.ts'
import { loadMasterKey } from './merchant-keys.ts'
import { PaymentRequests } from './payment-requests.ts'
import { Payments } from './payments.ts'
import { PosAmiko } from './pos-amiko.ts'
import { PosFeed } from './pos-feed.ts'
import { Proofs } from './proofs.ts'
import type { RelayClient } from './relay-client.ts'
import { RelayLink } from './relay-link.ts'

export interface MerchantOptions {
  store: Store
  /** ARC base URL (the default broadcaster), or mAPI base URL (`…/mapi`) with `broadcasterApi: 'mapi'`. */
  broadcasterUrl: string
  broadcasterApi?: 'arc' | 'mapi'
  broadcasterKey?: string
  /** Block Headers Service base URL. */
  headersUrl: string
  headersKey?: string
  /**
   * Public origin customers and broadcasters reach (no trailing slash). Undefined for a merchant
   * with no listening port (`--no-listen`): relay invoices only, proofs through the relay.
   */
  publicUrl: string | undefined
  apiKey?: string
  network?: P4Network
  merchant?: MerchantDetails
  spvRequired?: boolean
  maxBody?: number
  allowInsecure?: boolean
  feeTtlMs?: number
  /** How often undecided broadcasts are retried (ms); default 10 s. */
  retryMs?: number
  /** How often the broadcaster is asked for proofs that have not called back (ms); default 10 min. */
  proofPollMs?: number
  tls?: { cert: string | Buffer; key: string | Buffer }
  /** Proof delivery tuning (tests shorten it). */
  proofDelivery?: { retryBaseMs?: number; pollMs?: number }
  clock?: Clock
  logger?: Logger
  /** The relay (models 2, 3; `--relay`): base URL of `paylink relay`, and the merchant key it issued. */
  relayUrl?: string
  relayKey?: string
  /** First relay reconnect delay (ms); default 1 s. */
  relayRetryMs?: number
  /** The merchant's Amiko node: the point-of-sale page makes Amiko requests on it (it is the payee). */
  amiko?: AmikoNode
  /** A devnet's base URL: the browser wallet page funds itself from its faucet. */
  devnetUrl?: string
}

export class Merchant {
  readonly app: FastifyInstance
  readonly invoices: Invoices
  readonly broadcastStep: BroadcastStep
  readonly proofs: Proofs
  /** The relay client when a relay is configured. */
  relay: RelayClient | undefined
  #relayLink: RelayLink | undefined
  /** The API key in clear when this start created it (print it once), else undefined. */
  readonly createdApiKey: string | undefined
  #retry: NodeJS.Timeout | undefined
  #poll: NodeJS.Timeout | undefined
  #tls = false
  #posFeed: PosFeed | undefined

  private constructor(parts: {
    app: FastifyInstance
    invoices: Invoices
    broadcastStep: BroadcastStep
    proofs: Proofs
    createdApiKey: string | undefined
  }) {
    this.app = parts.app
    this.proofs = parts.proofs
    this.invoices = parts.invoices
    this.broadcastStep = parts.broadcastStep
    this.createdApiKey = parts.createdApiKey
  }

  static async open(o: MerchantOptions): Promise<Merchant> {
    const clock = o.clock ?? systemClock
    const publicUrl = o.publicUrl?.replace(/\/+$/, '')
    if (publicUrl === undefined && o.relayUrl === undefined)
      throw new PaylinkError('PL8001', 'a merchant with no listening port needs a relay (--relay)')
    const createdApiKey = await ensureApiKey(o.store, o.apiKey)
    let keyHashes = await loadApiKeyHashes(o.store)
    const masterKey = await loadMasterKey(o.store)
    const headers = new HeadersClient(
      o.headersUrl,
      o.headersKey === undefined ? {} : { apiKey: o.headersKey },
    )
    const { broadcaster, feeSource } = broadcasterOf(o)
    const quotes = new FeeQuotes(feeSource, clock, {
      fallback: DEFAULT_FEE_RATES,
      ...(o.feeTtlMs ? { ttlMs: o.feeTtlMs } : {}),
    })
    const relayLink = relayLinkOf(o, clock)
    const invoices = new Invoices({
      store: o.store,
      clock,
      masterKey,
      publicUrl,
      spvRequiredByDefault: o.spvRequired ?? false,
      ...(relayLink === undefined ? {} : { relay: relayLink }),
    })
    const requests = new PaymentRequests({
      store: o.store,
      clock,
      quotes,
      network: o.network ?? 'regtest',
      merchant: o.merchant ?? { extendedData: {} },
    })
    const broadcastStep = new BroadcastStep({
      store: o.store,
      clock,
      broadcaster,
      takesBeef: (o.broadcasterApi ?? 'arc') === 'arc',
      publicUrl,
      ...(relayLink === undefined ? {} : { relaySink: (id, txid) => relayLink.proofSink(id, txid) }),
      ...(o.logger === undefined ? {} : { logger: o.logger }),
    })
    const payments = new Payments({ store: o.store, clock, headers, requests, broadcast: broadcastStep })
    const proofs = new Proofs({ store: o.store, clock, headers, ...o.proofDelivery })
    const posFeed = new PosFeed({
      store: o.store,
      clock,
      amiko: o.amiko === undefined ? undefined : new PosAmiko(o.amiko, clock),
      ...(o.logger === undefined ? {} : { logger: o.logger }),
    })
    const app = buildMerchantApp({
      invoices,
      requests,
      payments,
      proofs,
      apiKeyHashes: () => keyHashes,
      p4: { maxBody: o.maxBody ?? 64 * 1024, allowInsecure: o.allowInsecure ?? false },
      ...(o.tls === undefined ? {} : { tls: o.tls }),
      ...(o.logger === undefined ? {} : { logger: o.logger }),
      pos: {
        feed: posFeed,
        amiko: posFeed.amiko,
        config: { network: o.network ?? 'regtest', devnetUrl: o.devnetUrl, relay: relayLink !== undefined },
      },
    })
    // Keys added by another process (or a restart) are picked up on the next start.
    keyHashes = await loadApiKeyHashes(o.store)
    const merchant = new Merchant({ app, invoices, broadcastStep, proofs, createdApiKey })
    merchant.#tls = o.tls !== undefined
    merchant.#posFeed = posFeed
    merchant.#startRetries(o.retryMs ?? 10_000, o.logger)
    merchant.#startProofPolls(o.proofPollMs ?? 600_000, broadcaster, o.logger)
    proofs.deliveries.start()
    merchant.#relayLink = relayLink
    merchant.relay = await relayLink?.start({
      requests,
      payments,
      proofs,
      allowInsecure: o.allowInsecure ?? false,
      ...(o.relayRetryMs === undefined ? {} : { retryMs: o.relayRetryMs }),
      ...(o.logger === undefined ? {} : { logger: o.logger }),
    })
    return merchant
  }

  #startRetries(ms: number, logger: Logger | undefined): void {
    const tick = (): void => {
      this.broadcastStep
        .retryAccepted()
        .catch((err: unknown) => logger?.error({ err }, 're-broadcast failed'))
    }
    tick()
    this.#retry = setInterval(tick, ms)
    this.#retry.unref()
  }

  #startProofPolls(ms: number, broadcaster: Broadcaster, logger: Logger | undefined): void {
    this.#poll = setInterval(() => {
      this.proofs.poll(broadcaster).catch((err: unknown) => logger?.error({ err }, 'proof poll failed'))
    }, ms)
    this.#poll.unref()
  }

  /** The stored relay channel of an invoice (models 2 and 3), if any. */
  relayChannel(invoiceId: string): Promise<MerchantChannelsTable | undefined> {
    return this.#relayLink?.channels.of(invoiceId) ?? Promise.resolve(undefined)
  }

  /** Binds the server; returns its base URL. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    return listenOn(this.app, port, host, this.#tls ? 'https' : 'http')
  }

  async close(): Promise<void> {
    clearInterval(this.#retry)
    clearInterval(this.#poll)
    this.#posFeed?.close()
    await this.#relayLink?.close()
    await this.app.close()
    await this.proofs.deliveries.stop()
  }
}

function relayLinkOf(o: MerchantOptions, clock: Clock): RelayLink | undefined {
  if (o.relayUrl === undefined) return undefined
  if (o.relayKey === undefined)
    throw new PaylinkError('PL8001', 'a relay needs its merchant key (--relay-key)')
  return new RelayLink({
    store: o.store,
    clock,
    relayUrl: o.relayUrl,
    relayKey: o.relayKey,
    allowInsecure: o.allowInsecure ?? false,
  })
}

function broadcasterOf(o: MerchantOptions): { broadcaster: Broadcaster; feeSource: FeeSource } {
  const key = o.broadcasterKey === undefined ? {} : { apiKey: o.broadcasterKey }
  if (o.broadcasterApi === 'mapi') {
    const mapi = new MapiClient(o.broadcasterUrl, key)
    const feeSource: FeeSource = async () => {
      const quote = await mapi.feeQuote()
      return { rates: { standard: quote.standard, data: quote.data }, expiresAt: quote.expiresAt.getTime() }
    }
    return { broadcaster: mapi, feeSource }
  }
  const arc = new ArcClient(o.broadcasterUrl, key)
  const feeSource: FeeSource = async () => {
    const policy = await arc.policy()
    return { rates: { standard: policy.standard, data: policy.data } }
  }
  return { broadcaster: arc, feeSource }
}
