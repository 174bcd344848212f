/**
 * `paylink relay`: the public P4 server (PROTOCOLS.md P4 §14): channels behind merchant keys,
 * websocket joins, hybrid REST↔websocket bridging and the proof sink. `paylink relay merchants
 * add` creates a merchant key and prints it once. With `--nats` (or `NATS_URL`) the relay is one
 * instance of a cluster sharing its PostgreSQL store and NATS with the others.
 */
import { join } from 'node:path'
import { Command, Option } from 'commander'
import { parse, resolveConfig } from '../../core/config.ts'
import { PaylinkError } from '../../core/errors.ts'
import type { Bus } from '../../relay/bus.ts'
import { createMerchantKey, NatsBus, Relay } from '../../relay/index.ts'
import { isPostgresUrl, openStore, type Store } from '../../store/index.ts'
import { dataDir } from '../data-dir.ts'
import { cliLogger } from '../logger.ts'
import { onShutdown } from '../shutdown.ts'

const SETTINGS = {
  port: { env: 'PAYLINK_RELAY_PORT', default: 8445, parse: parse.port },
  host: { env: 'PAYLINK_RELAY_HOST', default: '127.0.0.1', parse: parse.string },
  db: { env: 'PAYLINK_RELAY_DB', default: '', parse: parse.string },
  dbSchema: { env: 'PAYLINK_RELAY_DB_SCHEMA', default: '', parse: parse.string },
  publicUrl: { env: 'PAYLINK_RELAY_PUBLIC_URL', default: '', parse: parse.string },
  nats: { env: 'NATS_URL', default: '', parse: parse.string },
  natsPrefix: { env: 'PAYLINK_NATS_PREFIX', default: 'paylink.relay', parse: parse.string },
  channelTtl: { env: 'PAYLINK_CHANNEL_TTL', default: 7200, parse: parse.positiveInt },
  bridgeTimeout: { env: 'PAYLINK_BRIDGE_TIMEOUT', default: 10, parse: parse.positiveInt },
  maxPayload: { env: 'PAYLINK_MAX_PAYLOAD', default: 1024 * 1024, parse: parse.positiveInt },
  merchantKey: {
    env: 'PAYLINK_RELAY_MERCHANT_KEYS',
    default: [] as string[],
    parse: (raw: string) => raw.split(',').filter((k) => k !== ''),
  },
}

type Config = ReturnType<typeof resolveConfig<typeof SETTINGS>>

const dbOption = () =>
  new Option('--db <file|url>', 'SQLite file or postgres:// URL (env PAYLINK_RELAY_DB)').default(
    undefined,
    '$PAYLINK_DATA_DIR/relay.db',
  )

function storeLocation(db: string): string {
  return db !== '' ? db : (process.env['DATABASE_URL'] ?? join(dataDir(), 'relay.db'))
}

export function relayCommand(): Command {
  return new Command('relay')
    .description('the public P4 server: channels, websocket relay, hybrid bridging, proof relay')
    .addOption(new Option('--port <port>', 'HTTP port (env PAYLINK_RELAY_PORT)').default(undefined, '8445'))
    .addOption(new Option('--host <host>', 'address to bind').default(undefined, '127.0.0.1'))
    .addOption(dbOption())
    .option('--db-schema <name>', 'PostgreSQL schema to use (env PAYLINK_RELAY_DB_SCHEMA; default public)')
    .option('--public-url <url>', 'origin merchants and customers reach, e.g. https://relay.example')
    .option(
      '--nats <url>',
      'join a relay cluster over NATS, e.g. nats://127.0.0.1:4222 (env NATS_URL; needs a postgres:// --db)',
    )
    .addOption(
      new Option(
        '--nats-prefix <subject>',
        'NATS subject prefix of this cluster (env PAYLINK_NATS_PREFIX)',
      ).default(undefined, 'paylink.relay'),
    )
    .addOption(new Option('--channel-ttl <seconds>', 'default channel lifetime').default(undefined, '7200'))
    .addOption(new Option('--bridge-timeout <seconds>', 'hybrid bridge wait').default(undefined, '10'))
    .addOption(new Option('--max-payload <bytes>', 'largest websocket frame').default(undefined, '1048576'))
    .option('--merchant-key <key>', 'a merchant key to accept (repeatable)', (v, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .action(async (flags: Record<string, unknown>) => {
      await startRelay(resolveConfig(SETTINGS, flags, process.env))
    })
    .addCommand(merchantsCommand())
}

function merchantsCommand(): Command {
  const merchants = new Command('merchants').description('merchant keys the relay accepts')
  merchants
    .command('add')
    .description('create a merchant key and print it (shown once)')
    .addOption(dbOption())
    .action(async (_flags: unknown, cmd: Command) => {
      // `--db` is also an option of `relay`, which takes it wherever it is written.
      const { db } = cmd.optsWithGlobals<{ db?: string }>()
      const store = await openStore(storeLocation(db ?? ''))
      try {
        const key = await createMerchantKey(store, Date.now())
        process.stdout.write(`${key}\n`)
      } finally {
        await store.close()
      }
    })
  return merchants
}

async function startRelay(c: Config): Promise<void> {
  const publicUrl = c.publicUrl !== '' ? c.publicUrl : `http://${c.host}:${c.port}`
  const location = storeLocation(c.db)
  if (c.nats !== '' && !isPostgresUrl(location)) {
    throw new PaylinkError(
      'PL8001',
      'a relay cluster (--nats) needs a shared PostgreSQL store: give --db postgres://… (or DATABASE_URL)',
    )
  }
  const store = await openStore(location, c.dbSchema === '' ? {} : { schema: c.dbSchema })
  let bus: Bus | undefined
  let relay: Relay
  try {
    if (c.nats !== '')
      bus = await NatsBus.open({ url: c.nats, prefix: c.natsPrefix, logger: cliLogger('relay') })
    relay = await openRelay(c, store, publicUrl, bus)
  } catch (err) {
    await bus?.close()
    await store.close()
    throw err
  }
  onShutdown(async () => {
    await relay.close()
    await bus?.close()
    await store.close()
  })
  const base = await relay.listen(c.port, c.host)
  const out = process.stdout
  out.write(`paylink relay on ${base}\n`)
  out.write(`  channels   POST ${publicUrl}/api/v1/channels  (Authorization: Bearer <merchant key>)\n`)
  out.write(`  websocket  ${publicUrl.replace(/^http/i, 'ws')}/ws/{channelId}\n`)
  out.write(`  payments   ${publicUrl}/api/v1/payment/{channelId}\n`)
  out.write(`  store      ${store.location} (${store.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})\n`)
  if (c.nats !== '') out.write(`  cluster    NATS ${c.nats}, subjects ${c.natsPrefix}.>\n`)
  out.write('Ctrl-C stops it.\n')
}

function openRelay(c: Config, store: Store, publicUrl: string, bus: Bus | undefined): Promise<Relay> {
  return Relay.open({
    store,
    publicUrl,
    channelTtl: c.channelTtl,
    bridgeTimeoutMs: c.bridgeTimeout * 1000,
    maxPayload: c.maxPayload,
    merchantKeys: c.merchantKey,
    logger: cliLogger('relay'),
    ...(bus === undefined ? {} : { bus }),
  })
}
