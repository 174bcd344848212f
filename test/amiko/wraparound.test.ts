/**
 * Outbox indices across the 16-bit wrap (protocols-amiko.md §2.4): the serial arithmetic of
 * `serial.ts` driven as a sender's outbox and a receiver's `lastReceived` over a lossy, repeating
 * connection, and two real nodes whose link indices start just below 65 535, with the link cut
 * while messages are queued: after the reconnect every message is delivered exactly once, and lines
 * re-sent after a restart are dropped as duplicates.
 */
import { createServer } from 'node:net'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { AmikoNode } from '../../src/amiko/node/node.ts'
import type { NodeState } from '../../src/amiko/node/state.ts'
import {
  classifyIndex,
  INDEX_MODULUS,
  isAckedBy,
  nextIndex,
  OUTBOX_CAPACITY,
} from '../../src/amiko/protocol/index.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { tempDb } from '../support/devnet.ts'
import { checkAtRest, until } from './support.ts'

// ------------------------------------------------------------------ unit: serial.ts at the wrap

/** One delivery event of the simulated connection. */
type Step = { kind: 'deliver'; redeliver: number } | { kind: 'ack'; lose: boolean } | { kind: 'cut' }

/**
 * A sender outbox and a receiver over a connection that loses acks, re-sends old lines and is cut
 * (§2.4: after a cut the whole outbox is re-sent in index order). Returns what the receiver
 * processed, in order.
 */
function simulate(start: number, count: number, steps: Step[]): number[] {
  const outbox: { index: number; seq: number }[] = []
  let next = start
  for (let seq = 0; seq < count; seq++) {
    outbox.push({ index: next, seq })
    next = nextIndex(next)
  }
  let lastReceived = (start - 1) & 0xffff
  let ackedUpTo: number | null = null
  let cursor = 0 // next outbox entry to write on this connection
  const processed: number[] = []
  const receive = (entry: { index: number; seq: number }) => {
    const kind = classifyIndex(entry.index, lastReceived)
    expect(kind).not.toBe('gap')
    if (kind === 'next') {
      lastReceived = entry.index
      processed.push(entry.seq)
    }
  }
  const ack = (received: number) => {
    const before = outbox.length
    const kept = outbox.filter((e) => !isAckedBy(e.index, received))
    cursor = Math.max(0, cursor - (before - kept.length))
    outbox.splice(0, outbox.length, ...kept)
  }
  for (const step of steps) {
    if (step.kind === 'cut') cursor = 0
    else if (step.kind === 'ack') {
      if (!step.lose) ackedUpTo = lastReceived
      if (ackedUpTo !== null) ack(ackedUpTo)
    } else {
      const entry = outbox[cursor]
      if (entry !== undefined) {
        receive(entry)
        cursor++
      }
      // A stale line of this outbox arrives again (a re-send after a lost ack).
      const old = outbox[Math.min(step.redeliver, Math.max(cursor - 1, 0))]
      if (old !== undefined && outbox.indexOf(old) < cursor) receive(old)
    }
  }
  // The link settles: re-send until everything is acknowledged.
  for (let guard = 0; outbox.length > 0 && guard < count + 2; guard++) {
    cursor = 0
    for (const entry of [...outbox]) receive(entry)
    ack(lastReceived)
  }
  expect(outbox).toEqual([])
  return processed
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('deliver' as const), redeliver: fc.nat(40) }),
  fc.record({ kind: fc.constant('ack' as const), lose: fc.boolean() }),
  fc.constant({ kind: 'cut' as const }),
)

describe('outbox indices across the wrap (§2.4, serial.ts)', () => {
  it('the index after 65535 is 0, and 65535 is a duplicate once 0 is processed', () => {
    expect(nextIndex(0xffff)).toBe(0)
    expect(classifyIndex(0, 0xffff)).toBe('next')
    expect(classifyIndex(0xffff, 0)).toBe('duplicate')
    expect(classifyIndex(1, 0xffff)).toBe('gap')
  })

  it('an ack of 2 covers 65530–65535 and 0–2, and not 3', () => {
    for (const i of [65_530, 65_535, 0, 1, 2]) expect(isAckedBy(i, 2)).toBe(true)
    expect(isAckedBy(3, 2)).toBe(false)
  })

  it('an ack of 65534 does not cover the entries 65535, 0, 1 queued after it', () => {
    for (const i of [65_535, 0, 1]) expect(isAckedBy(i, 65_534)).toBe(false)
    expect(isAckedBy(65_534, 65_534)).toBe(true)
  })

  it('a full outbox (32 768 entries) across the wrap: each entry is acked only by acks at or after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.nat(OUTBOX_CAPACITY - 1), (first, k) => {
        const index = (first + k) % INDEX_MODULUS
        const last = (first + OUTBOX_CAPACITY - 1) % INDEX_MODULUS
        const beforeIt = (index - 1 + INDEX_MODULUS) % INDEX_MODULUS
        expect(isAckedBy(index, last)).toBe(true)
        if (k > 0) expect(isAckedBy(index, beforeIt)).toBe(false)
      }),
    )
  })

  it('lost acks, re-sent lines and cuts near the wrap: every message processed once, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0xffff - 40, max: 0xffff }),
        fc.integer({ min: 1, max: 80 }),
        fc.array(stepArb, { maxLength: 200 }),
        (start, count, steps) => {
          const processed = simulate(start, count, steps)
          expect(processed).toEqual(Array.from({ length: count }, (_, i) => i))
        },
      ),
      { numRuns: 300 },
    )
  })
})

// ------------------------------------------------------------------ link level: two nodes

interface Running {
  node: AmikoNode
  store: Store
  file: string
  port: number
}

const running: Running[] = []

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.node.close()
    await r.store.close()
  }
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const addr = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (addr === null || typeof addr === 'string') throw new Error('no port')
  return addr.port
}

async function start(
  file: string,
  port: number,
  o: { name: string; meetingPoints?: string[]; settings?: object },
): Promise<Running> {
  const store = await openStore(file)
  const node = await AmikoNode.open({ store, port, ...o })
  await node.listen()
  const r = { node, store, file, port }
  running.push(r)
  return r
}

async function stop(r: Running): Promise<void> {
  running.splice(running.indexOf(r), 1)
  await r.node.close()
  await r.store.close()
}

/** Rewrites the persisted state of the node in `file` (the node must be closed). */
async function editState(file: string, edit: (s: NodeState) => void): Promise<void> {
  const store = await openStore(file)
  const row = await store.db
    .selectFrom('amiko_state')
    .select('json')
    .where('node', '=', 'self')
    .executeTakeFirstOrThrow()
  const state = JSON.parse(row.json) as NodeState
  edit(state)
  await store.db
    .updateTable('amiko_state')
    .set({ json: JSON.stringify(state) })
    .where('node', '=', 'self')
    .execute()
  await store.close()
}

const linkOf = (r: Running, name: string) => {
  const l = r.node.snapshot().links[name]
  if (l === undefined) throw new Error(`no link ${name}`)
  return l
}

describe('two nodes with link indices just below the wrap', () => {
  it('a link cut with messages queued delivers each once after the reconnect, across 65535 → 0', async () => {
    const fileA = tempDb('wrap-a')
    const fileB = tempDb('wrap-b')
    const portA = await freePort()
    const portB = await freePort()
    // Make the two ends of the link, unconnected, then move both directions' indices to the wrap.
    {
      const b = await AmikoNode.open({ store: await openStore(fileB), port: portB, name: 'b' })
      const { url } = await b.makeLink('link_to_a')
      const a = await AmikoNode.open({ store: await openStore(fileA), port: portA, name: 'a' })
      await a.makeLink('link_to_b', url)
      await a.close()
      await b.close()
    }
    // A sends 65533, 65534, 65535, 0, …; B sends 65534, 65535, 0, ….
    await editState(fileA, (s) => {
      const w = (s.links['link_to_b'] as NodeState['links'][string]).wire
      w.nextIndex = 65_533
      w.lastReceived = 65_533
    })
    await editState(fileB, (s) => {
      const w = (s.links['link_to_a'] as NodeState['links'][string]).wire
      w.nextIndex = 65_534
      w.lastReceived = 65_532
    })
    const settings = { externalMeetingPoints: {} as Record<string, string> }
    let b = await start(fileB, portB, { name: 'b', meetingPoints: ['MP'] })
    settings.externalMeetingPoints = { MP: b.node.nodeKey }
    let a = await start(fileA, portA, { name: 'a', settings })
    await until(() => a.node.list().links[0]?.connected === true, 20_000)
    await a.node.deposit('link_to_b', 1000, 0)
    await until(() => linkOf(b, 'link_to_a').channels[0]?.status === 'open', 20_000)

    // Cut: B goes away; A queues three more channels (Deposit, Open and a State each) meanwhile.
    await stop(b)
    const queued = [
      a.node.deposit('link_to_b', 100, 10),
      a.node.deposit('link_to_b', 200, 20),
      a.node.deposit('link_to_b', 300, 30),
    ]
    await until(() => linkOf(a, 'link_to_b').channels.length === 4)
    const outbox = linkOf(a, 'link_to_b').wire.outbox
    expect(outbox.length).toBeGreaterThanOrEqual(9)
    // The queued lines sit after the wrap.
    expect(outbox.every((e) => e.index < 100)).toBe(true)

    b = await start(fileB, portB, { name: 'b', meetingPoints: ['MP'] })
    await Promise.all(queued)
    await until(
      () => linkOf(b, 'link_to_a').channels.length === 4 && linkOf(a, 'link_to_b').wire.outbox.length === 0,
      30_000,
    )

    const atA = linkOf(a, 'link_to_b')
    const atB = linkOf(b, 'link_to_a')
    // Exactly once: B processed every ledger message A sent, no more, and its lastReceived is A's last index.
    expect(atB.ledgerProcessed).toBe(atA.ledgerSent)
    expect(atB.wire.lastReceived).toBe((atA.wire.nextIndex - 1) & 0xffff)
    expect(atA.wire.lastReceived).toBe((atB.wire.nextIndex - 1) & 0xffff)
    expect(atA.wire.nextIndex).toBeLessThan(100)
    expect(atB.channels.map((c) => [c.status, c.amountLocal, c.amountRemote])).toEqual([
      ['open', 0, 1000],
      ['open', 10, 100],
      ['open', 20, 200],
      ['open', 30, 300],
    ])

    // A restarts with the cut's lines back in its outbox (as after lost acks): it re-sends them
    // with their old indices across the wrap, and B drops every one as a duplicate.
    const processed = atB.ledgerProcessed
    const linesIn = b.node.stats.linesIn
    await stop(a)
    await editState(fileA, (s) => {
      ;(s.links['link_to_b'] as NodeState['links'][string]).wire.outbox = outbox
    })
    a = await start(fileA, portA, { name: 'a', settings })
    await until(
      () => a.node.list().links[0]?.connected === true && linkOf(a, 'link_to_b').wire.outbox.length === 0,
      30_000,
    )
    expect(b.node.stats.linesIn).toBeGreaterThanOrEqual(linesIn + outbox.length)
    expect(linkOf(b, 'link_to_a').ledgerProcessed).toBe(processed)
    expect(linkOf(b, 'link_to_a').channels).toHaveLength(4)

    // The link still carries a payment after the wrap.
    const request = await b.node.request(123, 'after the wrap')
    const offer = await a.node.pay(request.url)
    expect((await a.node.confirm(offer.payer, true, 30_000)).state).toBe('committed')
    await until(() => {
      try {
        checkAtRest({ a: a.node, b: b.node })
        return true
      } catch {
        return false
      }
    }, 30_000)
    expect(a.node.balance().total).toBe(1000 + 100 + 200 + 300 - 123)
  }, 90_000)
})
