/** Helpers of the Amiko tests: nodes in this process on loopback, each on its own SQLite store. */
import type { Faults, Settings } from '../../src/amiko/node/engine.ts'
import { AmikoNode, type AmikoNodeOptions } from '../../src/amiko/node/node.ts'
import type { PayOutcome } from '../../src/amiko/node/types.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { tempDb } from '../support/devnet.ts'
import {
  type Baseline,
  baselineOf,
  expectLedger,
  ledgerProblems,
  type NodeView,
  viewsOfNodes,
} from './invariants.ts'

export interface TestNode {
  node: AmikoNode
  store: Store
  port: number
  close(): Promise<void>
}

export async function startNode(o: Partial<AmikoNodeOptions> = {}): Promise<TestNode> {
  const store = await openStore(tempDb('amiko'))
  const node = await AmikoNode.open({ store, port: 0, ...o })
  const { port } = await node.listen()
  return {
    node,
    store,
    port,
    async close() {
      await node.close()
      await store.close()
    },
  }
}

/** Makes a link `link_to_<b>` at `a` and `link_to_<a>` at `b`, and a channel amountA/amountB on it. */
export async function connect(
  a: { node: AmikoNode; name: string },
  b: { node: AmikoNode; name: string },
  amountA = 1000,
  amountB = 1000,
): Promise<void> {
  const { url } = await b.node.makeLink(`link_to_${a.name}`)
  await a.node.makeLink(`link_to_${b.name}`, url)
  await until(() => a.node.list().links.some((l) => l.name === `link_to_${b.name}` && l.connected))
  await a.node.deposit(`link_to_${b.name}`, amountA, amountB)
}

export async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * The ledger invariants of §13 at rest over in-process nodes, at once and synchronously: the
 * checker of `invariants.ts` without its payment-log checks (prefer `expectLedger` with a baseline).
 */
export function checkAtRest(nodes: Record<string, AmikoNode>): void {
  const at = Date.now() / 1000
  const views = Object.entries(nodes).map(([name, node]) => ({
    name,
    nodeKey: node.nodeKey,
    state: node.snapshot(),
    log: [],
    at,
  }))
  const problems = ledgerProblems(views)
  if (problems.length > 0) throw new Error(`invariants broken:\n${problems.join('\n')}`)
}

/** What each channel of the reference network holds: 1000 on each side (§14). */
export const REFERENCE_DEPOSIT = 2000

/** The links of the reference network of §14. */
export const REFERENCE_LINKS = [
  [0, 1],
  [1, 2],
  [2, 3],
  [2, 4],
  [2, 8],
  [8, 9],
  [4, 5],
  [5, 6],
  [5, 7],
  [5, 10],
  [10, 11],
] as const

export interface ReferenceNetwork {
  nodes: TestNode[]
  byName(): Record<string, AmikoNode>
  totals(): number[]
  /** Snapshots of the twelve nodes for the invariant checker. */
  views(): Promise<NodeView[]>
  /** Node `to` requests `amount`, node `from` pays it; the payer's and the payee's outcomes. */
  pay(from: number, to: number, amount: number): Promise<{ payer: PayOutcome; payee: PayOutcome }>
  /**
   * Waits until the network is at rest with every ledger invariant of §13 holding against the
   * network as it was built (each channel 2000), failing with the last problems after `ms`.
   */
  settled(ms?: number): Promise<void>
  /** Takes the network as it is now as the baseline of `settled` (after a test deposits or withdraws). */
  rebase(): Promise<void>
  close(): Promise<void>
}

/**
 * The twelve nodes of §14 in this process, each link one channel 1000/1000, `Node4` hosted on
 * node 4 and bound to its key everywhere; `faults` and `settings` per node index.
 */
export async function referenceNetwork(
  o: {
    faults?: Record<number, Faults>
    settings?: Partial<Settings>
    nodeSettings?: Record<number, Partial<Settings>>
    /** The links to make (default all of `REFERENCE_LINKS`). */
    links?: readonly (readonly [number, number])[]
  } = {},
): Promise<ReferenceNetwork> {
  const settingsOf = (i: number) => ({ ...o.settings, ...o.nodeSettings?.[i] })
  const faultsOf = (i: number) => (o.faults?.[i] === undefined ? {} : { faults: o.faults[i] })
  const host = await startNode({
    name: '4',
    meetingPoints: ['Node4'],
    settings: settingsOf(4),
    ...faultsOf(4),
  })
  const nodes: TestNode[] = []
  for (let i = 0; i < 12; i++) {
    const externalMeetingPoints = { Node4: host.node.nodeKey }
    nodes.push(
      i === 4
        ? host
        : await startNode({
            name: String(i),
            settings: { ...settingsOf(i), externalMeetingPoints },
            ...faultsOf(i),
          }),
    )
  }
  for (const [a, b] of o.links ?? REFERENCE_LINKS) {
    await connect(
      { node: (nodes[a] as TestNode).node, name: String(a) },
      { node: (nodes[b] as TestNode).node, name: String(b) },
    )
  }
  const byName = () => Object.fromEntries(nodes.map((n, i) => [String(i), n.node]))
  const views = () => viewsOfNodes(byName())
  let baseline: Baseline | undefined
  const net: ReferenceNetwork = {
    nodes,
    byName,
    totals: () => nodes.map((n) => n.node.balance().total),
    views,
    async pay(from, to, amount) {
      const payee = (nodes[to] as TestNode).node
      const payer = (nodes[from] as TestNode).node
      const request = await payee.request(amount, 'receipt')
      const offer = await payer.pay(request.url)
      const payerOutcome = await payer.confirm(offer.payer, true, 60_000)
      return { payer: payerOutcome, payee: await payee.payeeOutcome(request.paymentId, 60_000) }
    },
    async settled(ms = 20_000) {
      await expectLedger(views, {
        within: ms,
        deposit: () => REFERENCE_DEPOSIT,
        ...(baseline === undefined ? {} : { baseline }),
      })
    },
    async rebase() {
      baseline = baselineOf(await views())
    },
    async close() {
      for (const n of nodes) await n.close()
    },
  }
  await net.settled()
  await net.rebase()
  return net
}
