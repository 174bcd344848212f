/**
 * The merchant's relay channels (PROTOCOLS.md P4 §1 models 2 and 3, §14.1): one channel per
 * `hybrid`/`websocket` invoice, with its tokens, so the merchant rejoins every open channel at
 * start; and the invoice's `r_url`, the URL its payment URIs carry (model 3: the `wsUrl` with
 * the customer token, which the invoice's `paymentUrl` leaves out).
 */
import type { Kysely, Migration } from 'kysely'

export const merchantRelay005: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('merchant_channels')
      .addColumn('invoice_id', 'text', (c) => c.primaryKey())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('merchant_token', 'text', (c) => c.notNull())
      .addColumn('customer_token', 'text', (c) => c.notNull())
      .addColumn('proof_token', 'text')
      .addColumn('ws_url', 'text', (c) => c.notNull())
      .addColumn('payment_url', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .execute()
    await db.schema.alterTable('merchant_invoices').addColumn('r_url', 'text').execute()
  },
}
