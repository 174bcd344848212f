/**
 * `paylink relay`: the public P4 server (PROTOCOLS.md P4 §14): channels behind merchant keys,
 * websocket joins, hybrid REST↔websocket bridging and the proof sink. `paylink relay merchants
 * add` creates a merchant key and prints it once.
 */
import { join } from 'node:path'
import { Command, Option } from 'commander'
import { parse, resolveConfig } from '../../core/config.ts'
import { createMerchantKey, Relay } from '../../relay/index.ts'
import { openStore } from '../../store/index.ts'
import { dataDir } from '../data-dir.ts'
import { cliLogger } from '../logger.ts'
import { onShutdown } from '../shutdown.ts'

const SETTINGS = {
  port: { env: 'PAYLINK_RELAY_PORT', default: 8445, parse: parse.port },
  host: { env: 'PAYLINK_RELAY_HOST', default: '127.0.0.1', parse: parse.string },
  db: { env: 'PAYLINK_RELAY_DB', default: '', parse: parse.string },
  publicUrl: { env: 'PAYLINK_RELAY_PUBLIC_URL', default: '', parse: parse.string },
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
    .option('--public-url <url>', 'origin merchants and customers reach, e.g. https://relay.example')
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
  const store = await openStore(storeLocation(c.db))
  const relay = await Relay.open({
    store,
    publicUrl,
    channelTtl: c.channelTtl,
    bridgeTimeoutMs: c.bridgeTimeout * 1000,
    maxPayload: c.maxPayload,
    merchantKeys: c.merchantKey,
    logger: cliLogger('relay'),
  })
  onShutdown(async () => {
    await relay.close()
    await store.close()
  })
  const base = await relay.listen(c.port, c.host)
  const out = process.stdout
  out.write(`paylink relay on ${base}\n`)
  out.write(`  channels   POST ${publicUrl}/api/v1/channels  (Authorization: Bearer <merchant key>)\n`)
  out.write(`  websocket  ${publicUrl.replace(/^http/i, 'ws')}/ws/{channelId}\n`)
  out.write(`  payments   ${publicUrl}/api/v1/payment/{channelId}\n`)
  out.write(`  store      ${store.location} (${store.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})\n`)
  out.write('Ctrl-C stops it.\n')
}
