/**
 * The small Amiko network of `paylink up`: four nodes in this process, each with its own store
 * and admin API in `DIR/amiko/<name>` (so `paylink node … --dir DIR/amiko/<name>` drives it),
 * the hub hosting the meeting point `hub` and the others bound to the hub's key for it:
 *
 *     alice ── hub ── shop        (shop: the merchant's payee node)
 *               │
 *              bob
 *
 * Links and channels are made on the first start only; later starts find them in the stores and
 * the nodes redial each other by themselves.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { removeAdminFile, writeAdminFile } from '../amiko/admin/admin-file.ts'
import { type AdminServer, newAdminToken, startAdminServer } from '../amiko/admin/admin-server.ts'
import { AmikoNode } from '../amiko/node/node.ts'
import { PaylinkError } from '../core/errors.ts'
import { openStore, type Store } from '../store/index.ts'
import { cliLogger } from './logger.ts'

export const AMIKO_NODES = ['shop', 'hub', 'alice', 'bob'] as const
export type AmikoNodeName = (typeof AMIKO_NODES)[number]
export const MEETING_POINT = 'hub'
/** Each side's deposit in every channel, satoshis. */
export const CHANNEL_SATOSHIS = 10_000

/** [a, b]: a makes the link to b and deposits; b adds the same amount. */
const LINKS: readonly (readonly [AmikoNodeName, AmikoNodeName])[] = [
  ['alice', 'hub'],
  ['bob', 'hub'],
  ['hub', 'shop'],
]

export interface RunningAmikoNode {
  name: AmikoNodeName
  node: AmikoNode
  dir: string
  /** Where the node listens for Amiko links and payers. */
  address: { host: string; port: number }
  admin: AdminServer
  close(): Promise<void>
}

export interface AmikoNetwork {
  nodes: Record<AmikoNodeName, RunningAmikoNode>
  close(): Promise<void>
}

/**
 * Starts the four nodes, Amiko ports `basePort`…`basePort + 3` and admin ports
 * `adminBasePort`…`+ 3` (a base of 0: any free ports), and makes the links and channels missing.
 */
export async function startAmikoNetwork(
  dir: string,
  ports: { basePort: number; adminBasePort: number },
  progress: (line: string) => void,
): Promise<AmikoNetwork> {
  const started: RunningAmikoNode[] = []
  const close = async (): Promise<void> => {
    for (const n of started.reverse()) await n.close()
  }
  try {
    const portOf = (base: number, i: number): number => (base === 0 ? 0 : base + i)
    // The hub first: the others need its key to trust it as the meeting point `hub`.
    const hub = await startNode(dir, 'hub', {
      port: portOf(ports.basePort, 1),
      admin: portOf(ports.adminBasePort, 1),
    })
    started.push(hub)
    const external = { [MEETING_POINT]: hub.node.nodeKey }
    for (const name of AMIKO_NODES) {
      if (name === 'hub') continue
      const i = AMIKO_NODES.indexOf(name)
      started.push(
        await startNode(
          dir,
          name,
          { port: portOf(ports.basePort, i), admin: portOf(ports.adminBasePort, i) },
          external,
        ),
      )
    }
    const byName = (name: AmikoNodeName) => started.find((n) => n.name === name) as RunningAmikoNode
    const nodes = Object.fromEntries(AMIKO_NODES.map((name) => [name, byName(name)])) as Record<
      AmikoNodeName,
      RunningAmikoNode
    >
    for (const [a, b] of LINKS) await ensureChannel(nodes[a].node, nodes[b].node, progress)
    return { nodes, close }
  } catch (err) {
    await close()
    throw err
  }
}

async function startNode(
  root: string,
  name: AmikoNodeName,
  ports: { port: number; admin: number },
  externalMeetingPoints: Record<string, string> = {},
): Promise<RunningAmikoNode> {
  const dir = join(root, 'amiko', name)
  mkdirSync(dir, { recursive: true })
  const store: Store = await openStore(join(dir, 'node.db'))
  const node = await AmikoNode.open({
    store,
    name,
    port: ports.port,
    ...(name === 'hub' ? { meetingPoints: [MEETING_POINT] } : {}),
    settings: { externalMeetingPoints },
    logger: cliLogger(`amiko-${name}`),
  })
  const address = await node.listen()
  const token = newAdminToken()
  const admin = await startAdminServer(node, { token, port: ports.admin, logger: cliLogger('admin') })
  writeAdminFile(dir, { url: admin.url, token })
  return {
    name,
    node,
    dir,
    address,
    admin,
    async close() {
      removeAdminFile(dir)
      await admin.close()
      await node.close()
      await store.close()
    },
  }
}

/** Links `a` to `b` and opens a channel on the link, unless the stores already hold them. */
async function ensureChannel(a: AmikoNode, b: AmikoNode, progress: (line: string) => void): Promise<void> {
  const toB = `to-${b.name}`
  const toA = `to-${a.name}`
  if (!a.list().links.some((l) => l.name === toB)) {
    progress(`linking Amiko nodes ${a.name} and ${b.name}`)
    // b's half may be there already: a first start stopped (Ctrl-C) between the two halves.
    const half = b.list().links.find((l) => l.name === toA)
    const url = half?.url ?? (await b.makeLink(toA)).url
    await a.makeLink(toB, url)
  }
  await connected(a, toB)
  const link = a.list().links.find((l) => l.name === toB)
  if (link !== undefined && link.channels.length === 0) {
    progress(`opening a channel ${a.name}–${b.name}, ${CHANNEL_SATOSHIS} satoshis each side`)
    await a.deposit(toB, CHANNEL_SATOSHIS, CHANNEL_SATOSHIS)
  }
}

async function connected(node: AmikoNode, link: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!node.list().links.some((l) => l.name === link && l.connected)) {
    if (Date.now() > end)
      throw new PaylinkError('PL9001', `Amiko link ${node.name}/${link} did not connect in ${ms / 1000} s`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
