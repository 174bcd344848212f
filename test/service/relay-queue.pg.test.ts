/**
 * The relay's shared queue on PostgreSQL as a cluster uses it (PROTOCOLS.md P4 §14.5): two
 * instances (two stores, two pools) on one schema append the same `messageId`s at the same
 * moment while entries become tombstones; each message is queued once, the caps and the order
 * hold, and tombstones are pruned to the newest 1000 (and up to 100 more).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { QUEUE_MAX_MESSAGES, RelayQueue } from '../../src/relay/queue.ts'
import type { Store } from '../../src/store/index.ts'
import { dropPgTestSchemas, openPgTestStore, pgTestSchema, pgUrl } from '../support/services.ts'

const url = pgUrl()
const stores: Store[] = []

async function twoInstances(): Promise<{ a: RelayQueue; b: RelayQueue; store: Store }> {
  const schema = pgTestSchema()
  const sa = await openPgTestStore(url as string, schema)
  const sb = await openPgTestStore(url as string, schema)
  stores.push(sa, sb)
  return {
    a: new RelayQueue(sa, { tombstones: true }),
    b: new RelayQueue(sb, { tombstones: true }),
    store: sa,
  }
}

const frame = (n: number) => ({ messageId: `m${n}`, frame: `{"n":${n}}` })

describe.skipIf(url === undefined)('relay queue shared by two instances on PostgreSQL', () => {
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
  })
  afterAll(() => dropPgTestSchemas(url as string))

  it('queues a messageId appended through both instances at once exactly once, even as it becomes a tombstone', async () => {
    const { a, b, store } = await twoInstances()
    const now = Date.now()
    // Each instance appends to a role one message at a time (the hub's channel mutex); the two
    // instances race each other.
    const results: string[][] = []
    for (let n = 0; n < 60; n++) {
      const through = async (q: RelayQueue) => {
        const r = await q.append('ch1', 'merchant', frame(n), now)
        // Written at once: the window in which a check-then-insert let the copy in.
        if (r.status === 'queued') await q.remove(r.id)
        return r.status
      }
      results.push(await Promise.all([through(a), through(b)]))
    }
    for (const pair of results) expect(pair.sort()).toEqual(['duplicate', 'queued'])
    const rows = await store.db.selectFrom('relay_queue').select(['message_id', 'seq']).execute()
    expect(rows).toHaveLength(60)
    expect(new Set(rows.map((r) => r.message_id)).size).toBe(60)
    expect(new Set(rows.map((r) => Math.abs(Number(r.seq)))).size).toBe(60)
  })

  it('keeps arrival order past tombstones, refuses past the cap, and prunes tombstones', async () => {
    const { a, b, store } = await twoInstances()
    const now = Date.now()
    for (let n = 0; n < 1200; n++) {
      const r = await (n % 2 === 0 ? a : b).append('ch2', 'customer', frame(n), now)
      if (r.status !== 'queued') throw new Error(`append ${n}: ${r.status}`)
      await a.remove(r.id)
    }
    const tombs = await store.db.selectFrom('relay_queue').select('id').where('seq', '<', 0).execute()
    expect(tombs.length).toBeGreaterThanOrEqual(1000)
    expect(tombs.length).toBeLessThanOrEqual(1100)
    for (let n = 0; n < QUEUE_MAX_MESSAGES; n++)
      expect(await b.push('ch2', 'customer', frame(10_000 + n), now)).toBe('queued')
    expect(await a.push('ch2', 'customer', frame(20_000), now)).toBe('full')
    expect(await a.push('ch2', 'customer', frame(10_000), now)).toBe('duplicate')
    expect(await a.push('ch2', 'customer', frame(1199), now)).toBe('duplicate')
    const pending = await b.list('ch2', 'customer')
    expect(pending.map((p) => p.messageId)).toEqual(
      Array.from({ length: QUEUE_MAX_MESSAGES }, (_, n) => `m${10_000 + n}`),
    )
  })
})
