/** Helpers of the Amiko tests: nodes in this process on loopback, each on its own SQLite store. */
import { AmikoNode, type AmikoNodeOptions } from '../../src/amiko/node/node.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { tempDb } from '../support/devnet.ts'

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
 * The ledger invariants of §13 at rest, over `nodes` (name → node): every channel conserved (I1),
 * both ends of every link mirror each other and hold the same co-signed state (I2), and no open
 * entry, live record or timer is left (I4).
 */
export function checkAtRest(nodes: Record<string, AmikoNode>): void {
  const problems: string[] = []
  for (const [name, node] of Object.entries(nodes)) {
    const s = node.snapshot()
    if (s.timers.length > 0) problems.push(`${name}: ${s.timers.length} timers left`)
    for (const r of Object.values(s.records)) {
      if (r.status !== 'committed' && r.status !== 'cancelled')
        problems.push(`${name}: record ${r.key} ${r.status}`)
    }
    for (const l of Object.values(s.links)) {
      const peerName = l.name.replace(/^link_to_/, '')
      const peer = nodes[peerName]?.snapshot().links[`link_to_${name}`]
      for (const c of l.channels) {
        const open = [c.outgoingReserved, c.incomingReserved, c.outgoingLocked, c.incomingLocked].reduce(
          (n, m) => n + Object.keys(m).length,
          0,
        )
        if (open > 0) problems.push(`${name}/${l.name}#${c.index}: ${open} open entries`)
        const other = peer?.channels[c.index]
        if (other === undefined) {
          problems.push(`${name}/${l.name}#${c.index}: no peer channel`)
          continue
        }
        if (c.amountLocal !== other.amountRemote || c.amountRemote !== other.amountLocal)
          problems.push(
            `${name}/${l.name}#${c.index}: ${c.amountLocal}/${c.amountRemote} vs ${other.amountRemote}/${other.amountLocal}`,
          )
        if (c.coSigned?.stateHash !== other.coSigned?.stateHash)
          problems.push(`${name}/${l.name}#${c.index}: co-signed states differ`)
        if (c.diverged) problems.push(`${name}/${l.name}#${c.index}: diverged`)
      }
    }
  }
  if (problems.length > 0) throw new Error(`invariants broken:\n${problems.join('\n')}`)
}
