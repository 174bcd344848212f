/**
 * Relay tables (PROTOCOLS.md P4 §14): the merchant keys the operator issued (SHA-256 hashes),
 * channels with their role tokens (hashes, compared in constant time) and lifecycle state
 * (§14.5), and the per-role queues of messages not yet written to a live connection, so a relay
 * restart loses nothing (defect D10 of the reference relay).
 */
import type { Kysely, Migration } from 'kysely'

export const relay004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('relay_merchant_keys')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('relay_channels')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner_hash', 'text', (c) => c.notNull())
      .addColumn('merchant_token_hash', 'text', (c) => c.notNull())
      .addColumn('customer_token_hash', 'text', (c) => c.notNull())
      .addColumn('proof_token_hash', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reference', 'text')
      .addColumn('ack_txid', 'text')
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('relay_channels_owner_state')
      .on('relay_channels')
      .columns(['owner_hash', 'state'])
      .execute()
    await db.schema
      .createTable('relay_queue')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('frame', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('relay_queue_channel_role_seq')
      .on('relay_queue')
      .columns(['channel_id', 'role', 'seq'])
      .unique()
      .execute()
  },
}
