/**
 * Per-role message queues (PROTOCOLS.md P4 §14.5): a message not yet written to a role's live
 * connection waits here in arrival order, survives a restart, and is deleted once written.
 * Duplicates (same `messageId` for the same role) are dropped. Cap: 100 messages or 1 MiB.
 */
import { uuid } from '../core/ids.ts'
import type { RelayRole } from '../p4/relay-envelope.ts'
import type { Store } from '../store/index.ts'

export const QUEUE_MAX_MESSAGES = 100
export const QUEUE_MAX_BYTES = 1024 * 1024

/** One queued frame. */
export interface QueuedFrame {
  id: string
  messageId: string
  frame: string
}

export class RelayQueue {
  readonly #store: Store

  constructor(store: Store) {
    this.#store = store
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
    const rows = await this.#store.db
      .selectFrom('relay_queue')
      .select(['seq', 'message_id', 'frame'])
      .where('channel_id', '=', channelId)
      .where('role', '=', role)
      .execute()
    if (rows.some((r) => r.message_id === message.messageId)) return 'duplicate'
    const bytes = rows.reduce((n, r) => n + r.frame.length, message.frame.length)
    if (rows.length >= QUEUE_MAX_MESSAGES || bytes > QUEUE_MAX_BYTES) return 'full'
    const seq = rows.reduce((max, r) => Math.max(max, Number(r.seq)), 0) + 1
    await this.#store.db
      .insertInto('relay_queue')
      .values({
        id: uuid(),
        channel_id: channelId,
        role,
        seq,
        message_id: message.messageId,
        frame: message.frame,
        created_at: now,
      })
      .execute()
    return 'queued'
  }

  /** The queue of `role` on `channelId`, oldest first. */
  async list(channelId: string, role: RelayRole): Promise<QueuedFrame[]> {
    const rows = await this.#store.db
      .selectFrom('relay_queue')
      .select(['id', 'message_id', 'frame'])
      .where('channel_id', '=', channelId)
      .where('role', '=', role)
      .orderBy('seq')
      .execute()
    return rows.map((r) => ({ id: r.id, messageId: r.message_id, frame: r.frame }))
  }

  /** Deletes a written entry. */
  async remove(id: string): Promise<void> {
    await this.#store.db.deleteFrom('relay_queue').where('id', '=', id).execute()
  }
}
