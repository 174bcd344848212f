/**
 * `paylink node start`: runs an Amiko node in the foreground (protocols-amiko.md §7 settings),
 * with its admin API on 127.0.0.1, whose URL and token go to `DIR/admin.json` (mode 0600) once it
 * listens; the file is removed on shutdown.
 */
import { mkdirSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { z } from 'zod'
import { AdminClient } from '../../amiko/admin/admin-client.ts'
import { readAdminFile, removeAdminFile, writeAdminFile } from '../../amiko/admin/admin-file.ts'
import { type AdminServer, newAdminToken, startAdminServer } from '../../amiko/admin/admin-server.ts'
import type { Faults } from '../../amiko/node/engine.ts'
import { AmikoNode } from '../../amiko/node/node.ts'
import { parse, resolveConfig } from '../../core/config.ts'
import { PaylinkError } from '../../core/errors.ts'
import { openStore, type Store } from '../../store/index.ts'
import { dataDir } from '../data-dir.ts'
import { cliLogger } from '../logger.ts'
import { onShutdown } from '../shutdown.ts'

/** `--dir`, as every `paylink node` subcommand takes it. */
export function dirOption(): Option {
  return new Option('--dir <dir>', "the node's directory (its store and admin.json)")
    .env('PAYLINK_NODE_DIR')
    .default(undefined, '$PAYLINK_DATA_DIR/node')
}

/** The node directory the flags name. */
export function nodeDir(flags: { dir?: string }): string {
  return resolve(flags.dir ?? resolve(dataDir(), 'node'))
}

const list = (raw: string): string[] => raw.split(',').filter((v) => v !== '')

const SETTINGS = {
  name: { env: 'PAYLINK_NODE_NAME', default: '', parse: parse.string },
  port: { env: 'PAYLINK_NODE_PORT', default: 4321, parse: parse.port },
  host: { env: 'PAYLINK_NODE_HOST', default: '127.0.0.1', parse: parse.string },
  advertise: { env: 'PAYLINK_NODE_ADVERTISE', default: undefined as HostPort | undefined, parse: hostPort },
  adminPort: { env: 'PAYLINK_NODE_ADMIN_PORT', default: 4400, parse: parse.port },
  db: { env: 'PAYLINK_NODE_DB', default: '', parse: parse.string },
  meetingPoints: { env: 'PAYLINK_NODE_MEETING_POINTS', default: [] as string[], parse: list },
  expiryIncrement: { default: undefined as number | undefined, parse: parse.positiveInt },
  routeTimeout: { default: undefined as number | undefined, parse: parse.positiveInt },
  lockTimeout: { default: undefined as number | undefined, parse: parse.positiveInt },
  maxExpiry: { default: undefined as number | undefined, parse: parse.positiveInt },
}

type Config = ReturnType<typeof resolveConfig<typeof SETTINGS>>

/** The `Faults` of the engine (protocols-amiko.md §14 test hooks), as `PAYLINK_AMIKO_FAULTS` gives them. */
const faultsSchema: z.ZodType<Faults> = z.strictObject({
  drop: z.array(z.string().min(1)).optional(),
  fail: z.array(z.string().min(1)).optional(),
  delay: z.record(z.string().min(1), z.int().min(0)).optional(),
  noLock: z.boolean().optional(),
  wrongToken: z.boolean().optional(),
  wrongSettleToken: z.boolean().optional(),
})

/**
 * Fault injection for the multi-process failure tests: `PAYLINK_AMIKO_FAULTS` (JSON of `Faults`),
 * read only when `PAYLINK_AMIKO_TEST_HOOKS=1`. Without the hooks variable a set
 * `PAYLINK_AMIKO_FAULTS` is refused rather than ignored, so that neither a test nor an operator
 * believes faults are active when they are not.
 */
export function faultsFromEnv(env: NodeJS.ProcessEnv): Faults | undefined {
  const raw = env['PAYLINK_AMIKO_FAULTS']
  if (raw === undefined || raw === '') return undefined
  if (env['PAYLINK_AMIKO_TEST_HOOKS'] !== '1')
    throw new PaylinkError('PL8001', 'PAYLINK_AMIKO_FAULTS is set but PAYLINK_AMIKO_TEST_HOOKS=1 is not')
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    throw new PaylinkError('PL8001', 'PAYLINK_AMIKO_FAULTS is not JSON')
  }
  const parsed = faultsSchema.safeParse(json)
  if (!parsed.success)
    throw new PaylinkError(
      'PL8001',
      `PAYLINK_AMIKO_FAULTS: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    )
  return parsed.data
}

interface HostPort {
  host: string
  port: number
}

/** `HOST:PORT`, with an IPv6 host in brackets. */
function hostPort(raw: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(raw)
  if (m === null) throw new Error(`"${raw}" is not HOST:PORT`)
  return { host: (m[1] ?? m[2]) as string, port: parse.port(m[3] as string) }
}

/** `ID=KEY` of `--external-meeting-point`, collected into one map. */
function externalMeetingPoint(raw: string, prev: Record<string, string> = {}): Record<string, string> {
  const m = /^([^=]+)=(0[23][0-9a-fA-F]{64})$/.exec(raw)
  if (m === null) throw new InvalidArgumentError(`"${raw}" is not ID=NODEKEY`)
  return { ...prev, [m[1] as string]: (m[2] as string).toLowerCase() }
}

export function nodeStartCommand(): Command {
  return new Command('start')
    .description(
      'run an Amiko node in the foreground: its store and admin.json live in --dir; prints its node ' +
        'key, listen address and admin API URL. Ctrl-C stops it.',
    )
    .addOption(dirOption())
    .option('--name <name>', 'display name (env PAYLINK_NODE_NAME; default the --dir folder name)')
    .addOption(
      new Option('--port <port>', 'Amiko TCP port, 0 for any free one (env PAYLINK_NODE_PORT)').default(
        undefined,
        '4321',
      ),
    )
    .addOption(
      new Option('--host <host>', 'address to bind (env PAYLINK_NODE_HOST)').default(undefined, '127.0.0.1'),
    )
    .option(
      '--advertise <host:port>',
      'address put into amikolink:// and amikopay:// URLs, when peers reach this node elsewhere (NAT)',
    )
    .addOption(
      new Option(
        '--admin-port <port>',
        'admin API port on 127.0.0.1, 0 for any free one (env PAYLINK_NODE_ADMIN_PORT)',
      ).default(undefined, '4400'),
    )
    .addOption(
      new Option('--db <file|url>', 'SQLite file or postgres:// URL (env PAYLINK_NODE_DB)').default(
        undefined,
        'DIR/node.db',
      ),
    )
    .option('--meeting-points <ids>', 'meeting points to host, comma-separated')
    .option(
      '--external-meeting-point <id=key>',
      'a meeting point hosted by the node with this key (repeatable)',
      externalMeetingPoint,
    )
    .option(
      '--expiry-increment <seconds>',
      'Δ added per hop to lock expiries (default 86400; tests use a few)',
    )
    .option('--route-timeout <seconds>', 'give up a silent routing attempt after this (default 5)')
    .option('--lock-timeout <seconds>', 'give up a route with no Lock after this (default 5)')
    .option(
      '--max-expiry <seconds>',
      'refuse a hop whose lock would expire further ahead than this (default 1209600, 14 days)',
    )
    .action(async (flags: Record<string, unknown>) => {
      const external = (flags['externalMeetingPoint'] ?? {}) as Record<string, string>
      await startNode(
        nodeDir(flags as { dir?: string }),
        resolveConfig(SETTINGS, flags, process.env),
        external,
      )
    })
}

async function startNode(dir: string, c: Config, external: Record<string, string>): Promise<void> {
  mkdirSync(dir, { recursive: true })
  await refuseSecondNode(dir)
  const faults = faultsFromEnv(process.env)
  const store = await openStore(c.db !== '' ? c.db : process.env['DATABASE_URL'] || join(dir, 'node.db'))
  const running: { node?: AmikoNode; admin?: AdminServer } = {}
  const stop = async (): Promise<void> => {
    removeAdminFile(dir)
    await running.admin?.close()
    await running.node?.close()
    await store.close()
  }
  try {
    const node = await openNode(store, dir, c, external, faults)
    running.node = node
    const at = await listening('Amiko', node.listen())
    const token = newAdminToken()
    const admin = await listening(
      'admin API',
      startAdminServer(node, { token, port: c.adminPort, logger: cliLogger('admin') }),
    )
    running.admin = admin
    writeAdminFile(dir, { url: admin.url, token })
    // Before the summary: whoever reads "Ctrl-C stops it." may send the signal at once.
    onShutdown(stop)
    printStarted({ node, at, advertise: c.advertise, adminUrl: admin.url, dir, store })
  } catch (err) {
    await stop()
    throw err
  }
}

function openNode(
  store: Store,
  dir: string,
  c: Config,
  external: Record<string, string>,
  faults: Faults | undefined,
): Promise<AmikoNode> {
  return AmikoNode.open({
    store,
    name: c.name !== '' ? c.name : basename(dir),
    host: c.host,
    port: c.port,
    ...(c.advertise === undefined ? {} : { advertise: c.advertise }),
    meetingPoints: c.meetingPoints,
    settings: settingsOf(c, external),
    logger: cliLogger('node'),
    ...(faults === undefined ? {} : { faults }),
  })
}

function settingsOf(c: Config, external: Record<string, string>) {
  return {
    ...(Object.keys(external).length === 0 ? {} : { externalMeetingPoints: external }),
    ...(c.expiryIncrement === undefined ? {} : { expiryIncrement: c.expiryIncrement }),
    ...(c.routeTimeout === undefined ? {} : { routeTimeout: c.routeTimeout }),
    ...(c.lockTimeout === undefined ? {} : { lockTimeout: c.lockTimeout }),
    ...(c.maxExpiry === undefined ? {} : { maxExpiry: c.maxExpiry }),
  }
}

/** A node still answering on this directory's admin.json keeps it; a stale file (a crash) is replaced. */
async function refuseSecondNode(dir: string): Promise<void> {
  if (readAdminFile(dir) === undefined) return
  const alive = await AdminClient.forDir(dir)
    .balance()
    .then(
      () => true,
      () => false,
    )
  if (alive) throw new PaylinkError('PL8001', `a node is already running with --dir ${dir}`)
}

/** A listen error (port taken, say) as one line rather than a stack trace. */
async function listening<T>(what: string, started: Promise<T>): Promise<T> {
  try {
    return await started
  } catch (cause) {
    throw new PaylinkError('PL8001', `cannot start the ${what}: ${(cause as Error).message}`, { cause })
  }
}

function printStarted(s: {
  node: AmikoNode
  at: HostPort
  advertise: HostPort | undefined
  adminUrl: string
  dir: string
  store: Store
}): void {
  const out = process.stdout
  const advertised =
    s.advertise === undefined ? '' : ` (advertised as ${s.advertise.host}:${s.advertise.port})`
  const meetingPoints = s.node.list().meetingPoints
  out.write(`paylink node ${s.node.name} on ${s.at.host}:${s.at.port}${advertised}\n`)
  out.write(`  node key        ${s.node.nodeKey}\n`)
  out.write(`  admin API       ${s.adminUrl}  (URL and bearer token in ${join(s.dir, 'admin.json')})\n`)
  out.write(
    `  store           ${s.store.location} (${s.store.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})\n`,
  )
  out.write(`  meeting points  ${meetingPoints.length === 0 ? 'none' : meetingPoints.join(', ')}\n`)
  out.write('Ctrl-C stops it.\n')
}
