/**
 * Per-role message queues (PROTOCOLS.md P4 §14.5): a message not yet written to a role's live
 * connection waits here in arrival order, survives a restart, and is done with once written.
 * Duplicates (same `messageId` for the same role) are dropped. Cap: 100 messages or 1 MiB.
 *
 * In a cluster (`tombstones`) every message passes through the queue, which the instances share,
 * and a written entry is kept as a tombstone (its `seq` negated, its frame emptied) instead of
 * deleted: a `messageId` re-sent through another instance is still a duplicate there. The newest
 * 1000 tombstones of a role are kept, as the hub keeps its last 1000 delivered ids.
 */
import { sql } from 'kysely'
import { uuid } from '../core/ids.ts'
import type { RelayRole } from '../p4/relay-envelope.ts'
import { isUniqueViolation, type Store } from '../store/index.ts'

export const QUEUE_MAX_MESSAGES = 100
export const QUEUE_MAX_BYTES = 1024 * 1024
const TOMBSTONES_KEPT = 1000
/**
 * Two instances appending to one role at once may pick the same `seq`, or both pass the duplicate
 * check for one `messageId` (the first copy already a tombstone by the second's insert): a unique
 * index refuses the loser (migration 008 for the `messageId`), which retries and then sees the
 * winner's row.
 */
const APPEND_TRIES = 5

/** One queued frame. */
export interface QueuedFrame {
  id: string
  messageId: string
  frame: string
}

export type Appended = { status: 'queued'; id: string } | { status: 'duplicate' | 'full' }

interface Totals {
  dup: number
  pending: number
  bytes: number
  top: number
  tombs: number
}

export class RelayQueue {
  readonly #store: Store
  readonly #tombstones: boolean

  constructor(store: Store, options: { tombstones?: boolean } = {}) {
    this.#store = store
    this.#tombstones = options.tombstones ?? false
  }

  /**
   * Appends `frame` to the queue of `role` on `channelId`. Returns `full` past the cap, `duplicate`
   * for a known `messageId`, else `queued`.
   */
  async push(
    channelId: string,
    role: RelayRole,
    message: { messageId: string; frame: string },
    now: number,
  ): Promise<'queued' | 'duplicate' | 'full'> {
    return (await this.append(channelId, role, message, now)).status
  }

  /** As `push`, with the new entry's id. */
  async append(
    channelId: string,
    role: RelayRole,
    message: { messageId: string; frame: string },
    now: number,
  ): Promise<Appended> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#append(channelId, role, message, now)
      } catch (err) {
        if (attempt >= APPEND_TRIES || !isUniqueViolation(err)) throw err
      }
    }
  }

  async #append(
    channelId: string,
    role: RelayRole,
    message: { messageId: string; frame: string },
    now: number,
  ): Promise<Appended> {
    const t = await this.#totals(channelId, role, message.messageId)
    if (t.dup > 0) return { status: 'duplicate' }
    if (t.pending >= QUEUE_MAX_MESSAGES || t.bytes + message.frame.length > QUEUE_MAX_BYTES)
      return { status: 'full' }
    const id = uuid()
    const seq = t.top + 1
    await this.#store.db
      .insertInto('relay_queue')
      .values({
        id,
        channel_id: channelId,
        role,
        seq,
        message_id: message.messageId,
        frame: message.frame,
        created_at: now,
      })
      .execute()
    if (t.tombs > TOMBSTONES_KEPT + 100) await this.#prune(channelId, role, seq - TOMBSTONES_KEPT)
    return { status: 'queued', id }
  }

  /** One pass over the role's rows (index channel, role, seq): duplicate, pending size, top seq. */
  async #totals(channelId: string, role: RelayRole, messageId: string): Promise<Totals> {
    const row = await this.#store.db
      .selectFrom('relay_queue')
      .select([
        sql<number>`count(case when message_id = ${messageId} then 1 end)`.as('dup'),
        sql<number>`count(case when seq > 0 then 1 end)`.as('pending'),
        sql<number>`coalesce(sum(case when seq > 0 then length(frame) else 0 end), 0)`.as('bytes'),
        sql<number>`coalesce(max(abs(seq)), 0)`.as('top'),
        sql<number>`count(case when seq < 0 then 1 end)`.as('tombs'),
      ])
      .where('channel_id', '=', channelId)
      .where('role', '=', role)
      .executeTakeFirst()
    return {
      dup: Number(row?.dup ?? 0),
      pending: Number(row?.pending ?? 0),
      bytes: Number(row?.bytes ?? 0),
      top: Number(row?.top ?? 0),
      tombs: Number(row?.tombs ?? 0),
    }
  }

  /** Deletes tombstones older than `belowSeq`. */
  async #prune(channelId: string, role: RelayRole, belowSeq: number): Promise<void> {
    await this.#store.db
      .deleteFrom('relay_queue')
      .where('channel_id', '=', channelId)
      .where('role', '=', role)
      .where('seq', '<', 0)
      .where('seq', '>', -belowSeq)
      .execute()
  }

  /** The queue of `role` on `channelId`, oldest first. */
  async list(channelId: string, role: RelayRole): Promise<QueuedFrame[]> {
    const rows = await this.#store.db
      .selectFrom('relay_queue')
      .select(['id', 'message_id', 'frame'])
      .where('channel_id', '=', channelId)
      .where('role', '=', role)
      .where('seq', '>', 0)
      .orderBy('seq')
      .execute()
    return rows.map((r) => ({ id: r.id, messageId: r.message_id, frame: r.frame }))
  }

  /** Pending entries of `channelIds` queued before `before` (ms), oldest first, at most `limit`. */
  async pendingOf(
    channelIds: readonly string[],
    before: number,
    limit: number,
  ): Promise<(QueuedFrame & { channelId: string; role: RelayRole })[]> {
    if (channelIds.length === 0) return []
    const rows = await this.#store.db
      .selectFrom('relay_queue')
      .select(['id', 'channel_id', 'role', 'message_id', 'frame'])
      .where('channel_id', 'in', channelIds)
      .where('seq', '>', 0)
      .where('created_at', '<', before)
      .orderBy('created_at')
      .limit(limit)
      .execute()
    return rows.map((r) => ({
      id: r.id,
      channelId: r.channel_id,
      role: r.role,
      messageId: r.message_id,
      frame: r.frame,
    }))
  }

  /** A pending entry by id, or undefined once written. */
  async get(id: string): Promise<QueuedFrame | undefined> {
    const row = await this.#store.db
      .selectFrom('relay_queue')
      .select(['id', 'message_id', 'frame'])
      .where('id', '=', id)
      .where('seq', '>', 0)
      .executeTakeFirst()
    return row === undefined ? undefined : { id: row.id, messageId: row.message_id, frame: row.frame }
  }

  /** Done with a written entry: deleted, or in a cluster kept as a tombstone. */
  async remove(id: string): Promise<void> {
    if (!this.#tombstones) {
      await this.#store.db.deleteFrom('relay_queue').where('id', '=', id).execute()
      return
    }
    await this.#store.db
      .updateTable('relay_queue')
      .set({ seq: sql<number>`-seq`, frame: '' })
      .where('id', '=', id)
      .where('seq', '>', 0)
      .execute()
  }
}
