/**
 * The node under test of the Amiko model test, and what the test reads from it. One real
 * `AmikoNode` on its own SQLite store with a manual clock hosts meeting point `MP` and has two
 * links: `link_to_a` to an upstream neighbour A (the payer half arrives from it) and `link_to_b` to
 * a downstream neighbour B (the payee half arrives from it). Both neighbours are `LinkPeer`s that
 * open one channel 1000/1000 each. So every payment crosses the node as meeting point host
 * (protocols-amiko.md §6.2–§6.5): route ID `"1"+txid` on A's channel, `"0"+txid` on B's.
 */

import type { Settings } from '../../src/amiko/node/engine.ts'
import { AmikoNode } from '../../src/amiko/node/node.ts'
import type { ChannelState, NodeState } from '../../src/amiko/node/state.ts'
import { ManualClock } from '../../src/core/clock.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { tempDb } from '../support/devnet.ts'
import { LinkPeer } from './model-peer.ts'
import { until } from './support.ts'

/** Time-outs that generated time steps (1–400 s) cross or not; Δ = 100 s, maxExpiry 1000 s. */
export const MODEL_SETTINGS: Partial<Settings> = {
  routeTimeout: 10,
  lockTimeout: 10,
  expiryIncrement: 100,
  maxExpiry: 1000,
}

export const CHANNEL_FUNDS = 1000

export interface Harness {
  node: AmikoNode
  clock: ManualClock
  a: LinkPeer
  b: LinkPeer
  /** Now, Unix seconds, as the node sees it. */
  now(): number
  /** Moves the clock and waits until every timer that fell due has fired and committed. */
  advance(seconds: number): Promise<void>
  close(): Promise<void>
}

export async function startHarness(): Promise<Harness> {
  const store: Store = await openStore(tempDb('amiko-model'))
  const clock = new ManualClock()
  const node = await AmikoNode.open({
    store,
    name: 'n',
    port: 0,
    clock,
    meetingPoints: ['MP'],
    settings: MODEL_SETTINGS,
  })
  const { port } = await node.listen()
  await node.makeLink('link_to_a')
  await node.makeLink('link_to_b')
  const a = new LinkPeer(port, 'link_to_a')
  const b = new LinkPeer(port, 'link_to_b')
  for (const peer of [a, b]) {
    await peer.connect()
    await peer.send({ _class: 'Deposit', channelIndex: 0, channelClass: 'SignedIOUChannel' })
    await peer.send({
      _class: 'ChannelMessage',
      channelIndex: 0,
      message: { _class: 'SignedIOUChannel_Open', amount: CHANNEL_FUNDS, remoteAmount: CHANNEL_FUNDS },
    })
  }
  const now = () => Math.floor(clock.now() / 1000)
  return {
    node,
    clock,
    a,
    b,
    now,
    async advance(seconds) {
      clock.advance(seconds * 1000)
      const t = now()
      await until(() => node.snapshot().timers.every((x) => x.fireAt > t), 20_000)
    },
    async close() {
      await a.cut()
      await b.cut()
      await node.close()
      await store.close()
    },
  }
}

/** Where a route ID stands on one channel: open (reserved, locked) or its tombstone. */
export type EntryStatus =
  | 'none'
  | 'reserved'
  | 'locked'
  | 'settled'
  | 'released'
  | 'rolledBack'
  | 'refunded'
  | `wrong direction ${string}`

export function entryStatus(
  c: ChannelState,
  routeId: string,
  direction: 'incoming' | 'outgoing',
): EntryStatus {
  const [reserved, locked, otherReserved, otherLocked] =
    direction === 'incoming'
      ? [c.incomingReserved, c.incomingLocked, c.outgoingReserved, c.outgoingLocked]
      : [c.outgoingReserved, c.outgoingLocked, c.incomingReserved, c.incomingLocked]
  if (routeId in reserved) return 'reserved'
  if (routeId in locked) return 'locked'
  if (routeId in otherReserved || routeId in otherLocked) return `wrong direction ${routeId}`
  return c.done[routeId] ?? 'none'
}

/** A record's status, live or kept as a tombstone; `none` when the node never had it. */
export function recordStatus(s: NodeState, key: string): string {
  return s.records[key]?.status ?? s.tombstones[key]?.status ?? 'none'
}

export function channelOf(s: NodeState, link: 'link_to_a' | 'link_to_b'): ChannelState {
  const c = s.links[link]?.channels[0]
  if (c === undefined) throw new Error(`no channel on ${link}`)
  return c
}

/**
 * The state without what the neighbours' acks change, which happens on the node's own schedule:
 * outboxes, and refunds made final by their acknowledgement (§9.4, `refunded` → `rolledBack`).
 */
export function withoutOutboxes(s: NodeState): string {
  const copy = structuredClone(s)
  for (const l of Object.values(copy.links)) {
    l.wire.outbox = []
    for (const c of l.channels) {
      for (const [r, t] of Object.entries(c.done)) if (t === 'refunded') c.done[r] = 'rolledBack'
      delete c.refunds
    }
  }
  return JSON.stringify(copy)
}

/**
 * What a rejected message may not change (§2.4, §12.1): everything but the bookkeeping of having
 * received it — `lastReceived`, the §11 ledger counters and the `State`s queued for them.
 */
export function ledgerView(s: NodeState): string {
  const copy = JSON.parse(withoutOutboxes(s)) as NodeState
  for (const l of Object.values(copy.links)) {
    l.wire = { outbox: [], nextIndex: 0, lastReceived: 0 }
    l.ledgerSent = 0
    l.ledgerProcessed = 0
    for (const c of l.channels) delete c.lastSent
  }
  return JSON.stringify(copy)
}
