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

  /** Creates and stores the channel of invoice `invoiceId`; a relay unreachable or refusing is `PL8007`. */
  async create(invoiceId: string, model: 'hybrid' | 'websocket', expiresAt: number): Promise<ChannelUrls> {
    const ttlSeconds = Math.min(MAX_TTL_S, Math.max(60, Math.ceil((expiresAt - this.#o.clock.now()) / 1000)))
    const res = await this.#call(`${this.#o.relayUrl}/api/v1/channels`, 'POST', this.#o.relayKey, {
      ttlSeconds,
      reference: invoiceId,
    })
    const parsed = channelSchema.safeParse(await res.json().catch(() => undefined))
    if (res.status !== 201 || !parsed.success) {
      throw new PaylinkError('PL8007', `relay refused to create a channel (HTTP ${res.status})`)
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

  /**
   * The relay's proof sink for the broadcaster (§13, models 2 and 3):
   * `{relay}/api/v1/proofs/{txid}?i={channelId}` with the channel's proof token, on the relay's
   * public origin (the one its `paymentUrl` names).
   */
  proofSink(channel: MerchantChannelsTable, txid: string): { url: string; token: string } | undefined {
    if (channel.proof_token === null) return undefined
    const origin = channel.payment_url.replace(/\/api\/v1\/payment\/[^/]*$/, '')
    return { url: `${origin}/api/v1/proofs/${txid}?i=${channel.channel_id}`, token: channel.proof_token }
  }

  /** Puts a proof the merchant got elsewhere on the channel, through the relay's sink (§13). */
  async publishProof(channel: MerchantChannelsTable, txid: string, proofEnvelope: unknown): Promise<void> {
    const sink = this.proofSink(channel, txid)
    if (sink === undefined) return
    const res = await this.#call(sink.url, 'POST', sink.token, proofEnvelope)
    if (res.status !== 201) throw new PaylinkError('PL8007', `relay refused the proof (HTTP ${res.status})`)
  }

  /**
   * Closes the channel at the relay (`DELETE`, §14.5: the relay still hands queued messages to a
   * party that rejoins before `expiresAt`) and marks it closed here. A channel the relay no
   * longer knows counts as closed.
   */
  async close(channel: MerchantChannelsTable): Promise<void> {
    const url = `${this.#o.relayUrl}/api/v1/channels/${channel.channel_id}`
    const res = await this.#call(url, 'DELETE', this.#o.relayKey)
    if (res.status !== 204 && res.status !== 404 && res.status !== 410) {
      throw new PaylinkError(
        'PL8007',
        `relay refused to close channel ${channel.channel_id} (HTTP ${res.status})`,
      )
    }
    await this.markClosed(channel.invoice_id)
  }

  /** Polls the relay until a merchant is connected to `channel`; false after `timeoutMs`. */
  async awaitMerchant(channel: MerchantChannelsTable, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const res = await this.#call(
        `${this.#o.relayUrl}/api/v1/channels/${channel.channel_id}`,
        'GET',
        this.#o.relayKey,
      )
      const status = (await res.json().catch(() => undefined)) as { merchantConnected?: unknown } | undefined
      if (status?.merchantConnected === true) return true
      if (Date.now() >= until) return false
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  /** Records a later expiry (the relay's `X-Channel-Expires`, or 24 h after an ACK, §14.5). */
  async extend(invoiceId: string, expiresAt: number): Promise<void> {
    await this.#o.store.db
      .updateTable('merchant_channels')
      .set({ expires_at: expiresAt })
      .where('invoice_id', '=', invoiceId)
      .where('expires_at', '<', expiresAt)
      .execute()
  }

  async #call(url: string, method: string, bearer: string, body?: unknown): Promise<Response> {
    return fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    }).catch((err: unknown) => {
      throw new PaylinkError('PL8007', `relay ${new URL(url).origin} unreachable`, { cause: err })
    })
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
