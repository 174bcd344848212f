/**
 * The merchant's relay channels (PROTOCOLS.md P4 §1, §2, §14.1): one per `hybrid`/`websocket`
 * invoice, created with `POST {relay}/api/v1/channels` and the merchant key, stored with the
 * invoice so every open channel is rejoined at start. Model 3 URIs carry the customer token.
 */
import { z } from 'zod'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import type { Store } from '../store/index.ts'
import type { MerchantChannelsTable } from '../store/schema.ts'

/** The relay's answer to a channel creation (§14.1), parsed at the trust boundary. */
const channelSchema = z.object({
  channelId: z.string().min(1).max(64),
  merchantToken: z.string().min(1),
  customerToken: z.string().min(1),
  proofToken: z.string().optional(),
  expiresAt: z.string(),
  paymentUrl: z.string().url(),
  wsUrl: z.string().url(),
})

/** Where a new invoice's customers go: the request's `paymentUrl` and the URIs' `r` URL. */
export interface ChannelUrls {
  paymentUrl: string
  rUrl: string
}

export interface RelayChannelsOptions {
  store: Store
  clock: Clock
  relayUrl: string
  relayKey: string
}

const MAX_TTL_S = 86_400

export class RelayChannels {
  readonly #o: RelayChannelsOptions

  constructor(options: RelayChannelsOptions) {
    this.#o = { ...options, relayUrl: options.relayUrl.replace(/\/+$/, '') }
  }

  /** Creates and stores the channel of invoice `invoiceId`; a relay unreachable or refusing is `PL8001`. */
  async create(invoiceId: string, model: 'hybrid' | 'websocket', expiresAt: number): Promise<ChannelUrls> {
    const ttlSeconds = Math.min(MAX_TTL_S, Math.max(60, Math.ceil((expiresAt - this.#o.clock.now()) / 1000)))
    const res = await fetch(`${this.#o.relayUrl}/api/v1/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#o.relayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds, reference: invoiceId }),
      signal: AbortSignal.timeout(10_000),
    }).catch((err: unknown) => {
      throw new PaylinkError('PL8001', `relay ${this.#o.relayUrl} unreachable`, { cause: err })
    })
    const parsed = channelSchema.safeParse(await res.json().catch(() => undefined))
    if (res.status !== 201 || !parsed.success) {
      throw new PaylinkError('PL8001', `relay refused to create a channel (HTTP ${res.status})`)
    }
    const c = parsed.data
    const row: MerchantChannelsTable = {
      invoice_id: invoiceId,
      channel_id: c.channelId,
      merchant_token: c.merchantToken,
      customer_token: c.customerToken,
      proof_token: c.proofToken ?? null,
      ws_url: c.wsUrl,
      payment_url: c.paymentUrl,
      expires_at: Date.parse(c.expiresAt),
      state: 'open',
    }
    await this.#o.store.db.insertInto('merchant_channels').values(row).execute()
    if (model === 'hybrid') return { paymentUrl: c.paymentUrl, rUrl: c.paymentUrl }
    const rUrl = `${c.wsUrl}?token=${encodeURIComponent(c.customerToken)}`
    return { paymentUrl: c.wsUrl, rUrl }
  }

  /** The stored channel of an invoice. */
  async of(invoiceId: string): Promise<MerchantChannelsTable | undefined> {
    return this.#o.store.db
      .selectFrom('merchant_channels')
      .selectAll()
      .where('invoice_id', '=', invoiceId)
      .executeTakeFirst()
  }

  /** Every channel still open and not expired: the ones to (re)join. */
  async open(): Promise<MerchantChannelsTable[]> {
    return this.#o.store.db
      .selectFrom('merchant_channels')
      .selectAll()
      .where('state', '=', 'open')
      .where('expires_at', '>', this.#o.clock.now())
      .execute()
  }

  /** Marks a channel closed: it is not rejoined. */
  async markClosed(invoiceId: string): Promise<void> {
    await this.#o.store.db
      .updateTable('merchant_channels')
      .set({ state: 'closed' })
      .where('invoice_id', '=', invoiceId)
      .execute()
  }
}
