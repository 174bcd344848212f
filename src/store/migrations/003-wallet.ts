/**
 * Wallet tables (the payer of PROTOCOLS.md P4): settings (master key, network), derived keys,
 * coins with their source transaction as BEEF (so a Payment can carry its ancestry, §9), the
 * payments made (the Payment kept byte-exact so a re-send is identical, §10 step 4) and the
 * merkle proofs obtained for them (§13).
 */
import type { Kysely, Migration } from 'kysely'

export const wallet003: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('wallet_meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('wallet_keys')
      .addColumn('key_index', 'integer', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('script', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('wallet_coins')
      .addColumn('txid', 'text', (c) => c.notNull())
      .addColumn('vout', 'integer', (c) => c.notNull())
      .addColumn('satoshis', 'bigint', (c) => c.notNull())
      .addColumn('script', 'text', (c) => c.notNull())
      .addColumn('key_index', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('payment_id', 'text')
      .addColumn('source_beef', 'text', (c) => c.notNull())
      .addColumn('confirmed', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('wallet_coins_outpoint', ['txid', 'vout'])
      .execute()
    await db.schema.createIndex('wallet_coins_state').on('wallet_coins').column('state').execute()
    await db.schema
      .createTable('wallet_payments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('uri', 'text', (c) => c.notNull())
      .addColumn('payment_url', 'text', (c) => c.notNull())
      .addColumn('dialect', 'text', (c) => c.notNull())
      .addColumn('memo', 'text', (c) => c.notNull())
      .addColumn('merchant', 'text', (c) => c.notNull())
      .addColumn('satoshis', 'bigint', (c) => c.notNull())
      .addColumn('fee', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('txid', 'text')
      .addColumn('raw_tx', 'text')
      .addColumn('beef', 'text')
      .addColumn('body', 'text')
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('ack', 'text')
      .addColumn('reason', 'text')
      .addColumn('callback_token', 'text', (c) => c.notNull())
      .addColumn('proof_callback_url', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema.createIndex('wallet_payments_state').on('wallet_payments').column('state').execute()
    await db.schema.createIndex('wallet_payments_txid').on('wallet_payments').column('txid').execute()
    await db.schema
      .createTable('wallet_proofs')
      .addColumn('txid', 'text', (c) => c.primaryKey())
      .addColumn('payment_id', 'text')
      .addColumn('block_hash', 'text', (c) => c.notNull())
      .addColumn('block_height', 'integer', (c) => c.notNull())
      .addColumn('merkle_path', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute()
  },
}
