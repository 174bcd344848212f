/**
 * Merchant tables: settings (master key, API key hashes), invoices with their served payment
 * request, payments (one row per (invoice, txid); at most one not `rejected` per invoice), the
 * late-payment attempt log, and proof deliveries to the customer's `proofCallbacks`.
 */
import { type Kysely, type Migration, sql } from 'kysely'

export const merchant002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('merchant_meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('merchant_invoices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('satoshis', 'bigint', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('reference', 'text')
      .addColumn('spv_required', 'integer', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('payment_url', 'text', (c) => c.notNull())
      .addColumn('script', 'text', (c) => c.notNull())
      .addColumn('request', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('merchant_invoices_created')
      .on('merchant_invoices')
      .columns(['created_at', 'id'])
      .execute()
    await db.schema
      .createTable('merchant_payments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('invoice_id', 'text', (c) => c.notNull().references('merchant_invoices.id'))
      .addColumn('txid', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('dialect', 'text', (c) => c.notNull())
      .addColumn('raw_tx', 'text', (c) => c.notNull())
      .addColumn('broadcast_body', 'text', (c) => c.notNull())
      .addColumn('refund_to', 'text')
      .addColumn('memo', 'text')
      .addColumn('proof_callbacks', 'text')
      .addColumn('callback_token', 'text', (c) => c.notNull())
      .addColumn('satoshis_paid', 'bigint', (c) => c.notNull())
      .addColumn('overpaid', 'bigint', (c) => c.notNull())
      .addColumn('ack', 'text')
      .addColumn('ack_status', 'integer')
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('block_hash', 'text')
      .addColumn('block_height', 'integer')
      .addColumn('merkle_path', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('merchant_payments_invoice_txid', ['invoice_id', 'txid'])
      .execute()
    // The money rule: one payment that is not `rejected` per invoice, enforced by the database so
    // two concurrent POSTs with different transactions can never both credit it.
    await db.schema
      .createIndex('merchant_payments_one_live')
      .on('merchant_payments')
      .column('invoice_id')
      .unique()
      .where(sql.ref('state'), '<>', 'rejected')
      .execute()
    await db.schema.createIndex('merchant_payments_state').on('merchant_payments').column('state').execute()
    await db.schema
      .createTable('merchant_attempts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('invoice_id', 'text', (c) => c.notNull())
      .addColumn('txid', 'text', (c) => c.notNull())
      .addColumn('raw_tx', 'text', (c) => c.notNull())
      .addColumn('refund_to', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('merchant_proof_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('payment_id', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addUniqueConstraint('merchant_proof_deliveries_once', ['payment_id', 'url'])
      .execute()
  },
}
