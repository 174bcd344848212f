/**
 * Invoices (PROTOCOLS.md P4 §3): create, list (newest first, cursor-paged), get, cancel. Each
 * invoice gets a fresh destination derived from the master key; a pending invoice past its
 * expiry is swept to `expired` before any read that filters by state.
 */
import type { PrivateKey } from '@bsv/sdk'
import { z } from 'zod'
import { MAX_SATOSHIS } from '../core/amount.ts'
import { bytesToUtf8, utf8ToBytes } from '../core/bytes.ts'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { base64url, randomId } from '../core/ids.ts'
import { inTransaction, type Store } from '../store/index.ts'
import type { MerchantInvoicesTable } from '../store/schema.ts'
import { loadInvoice } from './invoice-row.ts'
import { assertTransition, INVOICE_STATES } from './invoice-state.ts'
import { type InvoiceView, invoiceView } from './invoice-view.ts'
import { destinationScript } from './merchant-keys.ts'
import type { ChannelUrls } from './relay-channels.ts'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

export const createInvoiceSchema = z.object({
  satoshis: z.number().int().min(1).max(MAX_SATOSHIS),
  description: z.string().min(1).max(1024),
  reference: z.string().max(32).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  spvRequired: z.boolean().optional(),
  model: z.enum(['rest', 'hybrid', 'websocket']).optional(),
})
export type CreateInvoice = z.infer<typeof createInvoiceSchema>

export const listQuerySchema = z.object({
  state: z.enum(INVOICE_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
})

export interface InvoiceServiceOptions {
  store: Store
  clock: Clock
  masterKey: PrivateKey
  /**
   * Public origin of the P4 endpoints, e.g. `https://shop.example` (no trailing slash); undefined
   * for a merchant with no listening port, which serves relay invoices only.
   */
  publicUrl: string | undefined
  spvRequiredByDefault: boolean
  /** The relay (models 2, 3), when one is configured: opens and joins an invoice's channel. */
  relay?: InvoiceRelay
}

/** What invoices need of the relay client (`relay-channels.ts`, `relay-client.ts`). */
export interface InvoiceRelay {
  /** Creates the channel of a new invoice: its request's `paymentUrl` and its URIs' `r` URL. */
  create(invoiceId: string, model: 'hybrid' | 'websocket', expiresAt: number): Promise<ChannelUrls>
  /** Joins the channel once the invoice is stored. */
  join(invoiceId: string): Promise<void>
  /** Closes the channel of a cancelled invoice. */
  cancel(invoiceId: string): Promise<void>
}

export class Invoices {
  readonly #o: InvoiceServiceOptions

  constructor(options: InvoiceServiceOptions) {
    this.#o = options
  }

  /** Creates an invoice from a validated body. */
  async create(body: CreateInvoice): Promise<InvoiceView> {
    const now = this.#o.clock.now()
    const expiresAt = body.expiresAt === undefined ? now + DAY : Date.parse(body.expiresAt)
    if (expiresAt <= now + MINUTE || expiresAt > now + 30 * DAY) {
      throw new PaylinkError('PL1004', 'expiresAt must be more than 60 s and at most 30 days ahead', {
        details: { errors: { expiresAt: ['must be later than now + 60 s and at most now + 30 days'] } },
      })
    }
    const relay = this.#o.relay
    const model = body.model ?? (relay === undefined ? 'rest' : 'websocket')
    if (model !== 'rest' && relay === undefined)
      throw new PaylinkError('PL1009', `model "${model}" needs a relay, and none is configured`)
    const publicUrl = this.#o.publicUrl
    if (model === 'rest' && publicUrl === undefined)
      throw new PaylinkError(
        'PL1009',
        'model "rest" needs a merchant that listens; this one serves the relay only',
      )
    const id = randomId()
    const channel = model === 'rest' ? undefined : await relay?.create(id, model, expiresAt)
    const row: MerchantInvoicesTable = {
      id,
      state: 'pending',
      satoshis: body.satoshis,
      description: body.description,
      reference: body.reference ?? null,
      spv_required: (body.spvRequired ?? this.#o.spvRequiredByDefault) ? 1 : 0,
      model,
      created_at: now,
      expires_at: expiresAt,
      payment_url: channel?.paymentUrl ?? `${publicUrl}/api/v1/payment/${id}`,
      script: destinationScript(this.#o.masterKey, id),
      request: null,
      updated_at: now,
      r_url: channel?.rUrl ?? null,
    }
    await this.#o.store.db.insertInto('merchant_invoices').values(row).execute()
    if (channel !== undefined) await relay?.join(id)
    return invoiceView(row, undefined, now)
  }

  /** One invoice, or 404 `N00001`. */
  async get(id: string): Promise<InvoiceView> {
    const row = await this.row(id)
    return invoiceView(row, await this.#livePayment(id), this.#o.clock.now(), await this.#attempts(id))
  }

  /** The stored row, or 404. */
  async row(id: string): Promise<MerchantInvoicesTable> {
    return loadInvoice(this.#o.store, id)
  }

  async #attempts(invoiceId: string) {
    return this.#o.store.db
      .selectFrom('merchant_attempts')
      .selectAll()
      .where('invoice_id', '=', invoiceId)
      .orderBy('at')
      .execute()
  }

  async #livePayment(invoiceId: string) {
    return this.#o.store.db
      .selectFrom('merchant_payments')
      .selectAll()
      .where('invoice_id', '=', invoiceId)
      .orderBy('received_at', 'desc')
      .orderBy((eb) => eb.case().when('state', '=', 'rejected').then(1).else(0).end())
      .executeTakeFirst()
  }

  /** Invoices newest first, optionally of one state, one page at a time. */
  async list(
    query: z.infer<typeof listQuerySchema>,
  ): Promise<{ invoices: InvoiceView[]; nextCursor: string | null }> {
    await this.sweepExpired()
    let q = this.#o.store.db.selectFrom('merchant_invoices').selectAll()
    if (query.state !== undefined) q = q.where('state', '=', query.state)
    if (query.cursor !== undefined) {
      const [createdAt, id] = decodeCursor(query.cursor)
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '<', createdAt),
          eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
        ]),
      )
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute()
    const page = rows.slice(0, query.limit)
    const now = this.#o.clock.now()
    const invoices = await Promise.all(
      page.map(async (r) => invoiceView(r, await this.#livePayment(r.id), now, await this.#attempts(r.id))),
    )
    const last = page.at(-1)
    return {
      invoices,
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at, last.id) : null,
    }
  }

  /** Cancels a pending invoice; a cancelled one answers the same again; paid or expired → 409. */
  async cancel(id: string): Promise<InvoiceView> {
    await this.sweepExpired()
    await inTransaction(this.#o.store, async (db) => {
      const row = await db
        .selectFrom('merchant_invoices')
        .select('state')
        .where('id', '=', id)
        .executeTakeFirst()
      if (row === undefined) throw new PaylinkError('PL1010', `invoice ${id} not found`)
      if (row.state === 'cancelled') return
      assertTransition(row.state, 'cancelled')
      // A payment still being decided may yet pay it: money in flight is never cancelled under it.
      const live = await db
        .selectFrom('merchant_payments')
        .select('id')
        .where('invoice_id', '=', id)
        .where('state', '<>', 'rejected')
        .executeTakeFirst()
      if (live !== undefined) throw new PaylinkError('PL1012', 'the invoice has a payment in progress')
      await db
        .updateTable('merchant_invoices')
        .set({ state: 'cancelled', updated_at: this.#o.clock.now() })
        .where('id', '=', id)
        .execute()
    })
    // Best effort: a channel left open only carries refusals (the invoice is cancelled) until it expires.
    await this.#o.relay?.cancel(id).catch(() => undefined)
    return this.get(id)
  }

  /**
   * Marks every pending invoice past its expiry as expired, except one holding a live payment
   * received in time (its broadcast may still be undecided: it becomes paid, not expired).
   */
  async sweepExpired(): Promise<void> {
    const now = this.#o.clock.now()
    await this.#o.store.db
      .updateTable('merchant_invoices')
      .set({ state: 'expired', updated_at: now })
      .where('state', '=', 'pending')
      .where('expires_at', '<', now)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('merchant_payments')
              .select('merchant_payments.id')
              .whereRef('merchant_payments.invoice_id', '=', 'merchant_invoices.id')
              .where('merchant_payments.state', '<>', 'rejected'),
          ),
        ),
      )
      .execute()
  }
}

function encodeCursor(createdAt: number, id: string): string {
  return base64url(utf8ToBytes(`${createdAt}:${id}`))
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const text = bytesToUtf8(
      Uint8Array.from(atob(cursor.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0)),
    )
    const [at, id] = text.split(':')
    const createdAt = Number(at)
    if (!Number.isSafeInteger(createdAt) || id === undefined) throw new Error('bad cursor')
    return [createdAt, id]
  } catch {
    throw new PaylinkError('PL1004', 'cursor is not one this server gave', {
      details: { errors: { cursor: ['invalid cursor'] } },
    })
  }
}
