/** Devnet tables: blocks, transactions, outputs (UTXO set and mempool), callbacks. */
import type { Kysely, Migration } from 'kysely'

export const devnet001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('devnet_meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('devnet_blocks')
      .addColumn('height', 'integer', (c) => c.primaryKey())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('header', 'text', (c) => c.notNull())
      .addColumn('tx_count', 'integer', (c) => c.notNull())
      .addColumn('txids', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('devnet_txs')
      .addColumn('txid', 'text', (c) => c.primaryKey())
      .addColumn('raw', 'text', (c) => c.notNull())
      .addColumn('fee', 'bigint', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull().unique())
      .addColumn('block_height', 'integer')
      .addColumn('block_index', 'integer')
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema.createIndex('devnet_txs_block').on('devnet_txs').column('block_height').execute()
    await db.schema
      .createTable('devnet_outputs')
      .addColumn('txid', 'text', (c) => c.notNull())
      .addColumn('vout', 'integer', (c) => c.notNull())
      .addColumn('satoshis', 'bigint', (c) => c.notNull())
      .addColumn('script', 'text', (c) => c.notNull())
      .addColumn('coinbase', 'integer', (c) => c.notNull())
      .addColumn('spent_by', 'text')
      .addPrimaryKeyConstraint('devnet_outputs_pk', ['txid', 'vout'])
      .execute()
    await db.schema.createIndex('devnet_outputs_spent_by').on('devnet_outputs').column('spent_by').execute()
    await db.schema
      .createTable('devnet_subscriptions')
      .addColumn('txid', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('api', 'text', (c) => c.notNull())
      .addColumn('full_status', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('devnet_subscriptions_pk', ['txid', 'url'])
      .execute()
    await db.schema
      .createTable('devnet_callbacks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('txid', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('devnet_callbacks_once', ['txid', 'url', 'status'])
      .execute()
    await db.schema
      .createIndex('devnet_callbacks_due')
      .on('devnet_callbacks')
      .columns(['state', 'next_attempt_at'])
      .execute()
  },
}
