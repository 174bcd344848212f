/**
 * Amiko node store (protocols-amiko.md §12): the node's whole state, one JSON document written in
 * the same store transaction as the input that changed it (records, channel entries, outboxes,
 * timers, `lastReceived` and the payment log together), so a node killed at any instant restarts
 * from the last committed input. The payment log is also kept as rows, never rewritten.
 */
import type { Kysely, Migration } from 'kysely'

export const amiko007: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('amiko_state')
      .addColumn('node', 'text', (c) => c.primaryKey())
      .addColumn('json', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('amiko_payment_log')
      .addColumn('node', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('line', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('amiko_payment_log_pk', ['node', 'seq'])
      .execute()
  },
}
