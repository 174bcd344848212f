/**
 * One queue entry per `messageId` and role of a channel (PROTOCOLS.md P4 §14.5 de-duplication).
 * The relay checks for a duplicate and then inserts; two relay instances of a cluster appending
 * the same `messageId` at the same moment could both pass the check when the first entry became a
 * tombstone in between (its `seq` negated, so the `seq` index no longer collides), and the message
 * was delivered twice. With this index the database refuses the second insert. Rows a race
 * already doubled are reduced first to the one with the lowest `seq`: a tombstone (negative
 * `seq`, already written) wins over a pending copy, which would be a second delivery, and among
 * pending copies the oldest stays.
 */
import { type Kysely, type Migration, sql } from 'kysely'

export const relayQueueMessage008: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      delete from relay_queue
      where exists (
        select 1 from relay_queue older
        where older.channel_id = relay_queue.channel_id
          and older.role = relay_queue.role
          and older.message_id = relay_queue.message_id
          and older.seq < relay_queue.seq
      )`.execute(db)
    await db.schema
      .createIndex('relay_queue_channel_role_message')
      .on('relay_queue')
      .columns(['channel_id', 'role', 'message_id'])
      .unique()
      .execute()
  },
}
