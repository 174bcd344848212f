/**
 * `paylink devnet`: starts the BSV development chain and prints its URLs; `paylink devnet mine`
 * and `paylink devnet faucet` talk to a running one.
 */

import { join } from 'node:path'
import { Command, Option } from 'commander'
import { parse, resolveConfig } from '../../core/config.ts'
import { Devnet } from '../../devnet/index.ts'
import { openStore } from '../../store/index.ts'
import { argParser } from '../args.ts'
import { dataDir } from '../data-dir.ts'
import { postJson } from '../http-client.ts'
import { cliLogger } from '../logger.ts'
import { printDevnet } from '../print-devnet.ts'
import { onShutdown } from '../shutdown.ts'

const SETTINGS = {
  port: { env: 'PAYLINK_DEVNET_PORT', default: 9090, parse: parse.port },
  host: { env: 'PAYLINK_DEVNET_HOST', default: '127.0.0.1', parse: parse.string },
  db: { env: 'PAYLINK_DEVNET_DB', default: '', parse: parse.string },
  blockInterval: { env: 'PAYLINK_BLOCK_INTERVAL', default: 0, parse: parse.nonNegativeNumber },
  feeRate: { env: 'PAYLINK_FEE_RATE', default: 1, parse: parse.nonNegativeInt },
  feeBytes: { env: 'PAYLINK_FEE_BYTES', default: 1000, parse: parse.positiveInt },
}

const DEFAULT_URL = process.env['PAYLINK_DEVNET_URL'] ?? 'http://127.0.0.1:9090'

export function devnetCommand(): Command {
  const cmd = new Command('devnet').description(
    'a BSV development chain answering the ARC, mAPI and Block Headers Service APIs, with a faucet',
  )
  cmd
    .command('start', { isDefault: true })
    .description('start the chain in the foreground and print its URLs (the default subcommand)')
    .addOption(new Option('--port <port>', 'HTTP port (env PAYLINK_DEVNET_PORT)').default(undefined, '9090'))
    .addOption(
      new Option('--host <host>', 'address to bind (env PAYLINK_DEVNET_HOST)').default(
        undefined,
        '127.0.0.1',
      ),
    )
    .addOption(
      new Option('--db <file|url>', 'SQLite file or postgres:// URL (env PAYLINK_DEVNET_DB)').default(
        undefined,
        '$PAYLINK_DATA_DIR/devnet.db',
      ),
    )
    .addOption(
      new Option(
        '--block-interval <seconds>',
        'mine every N seconds while transactions wait; 0 = only on request',
      ).default(undefined, '0'),
    )
    .addOption(
      new Option('--fee-rate <satoshis>', 'mining fee: satoshis per --fee-bytes').default(undefined, '1'),
    )
    .addOption(
      new Option('--fee-bytes <bytes>', 'the byte count --fee-rate is charged per').default(
        undefined,
        '1000',
      ),
    )
    .action(async (flags: Record<string, string | undefined>) => {
      const config = resolveConfig(SETTINGS, flags, process.env)
      await startDevnet(config)
    })
  cmd
    .command('mine')
    .description('mine blocks on a running devnet (all waiting transactions go in the first)')
    .option('--blocks <n>', 'how many blocks', argParser(parse.positiveInt), 1)
    .option('--url <url>', 'the devnet (env PAYLINK_DEVNET_URL)', DEFAULT_URL)
    .action(async (opts: { blocks: number; url: string }) => {
      const tip = await postJson<{ height: number; hash: string }>(`${opts.url}/devnet/mine`, {
        blocks: opts.blocks,
      })
      process.stdout.write(`mined; tip is now height ${tip.height}, ${tip.hash}\n`)
    })
  cmd
    .command('faucet')
    .description('pay devnet coins to a P2PKH address; the payment is mined at once')
    .argument('<address>', 'P2PKH address')
    .argument('<satoshis>', 'amount in satoshis', argParser(parse.positiveInt))
    .option('--url <url>', 'the devnet (env PAYLINK_DEVNET_URL)', DEFAULT_URL)
    .action(async (address: string, satoshis: number, opts: { url: string }) => {
      const paid = await postJson<{ txid: string; vout: number; satoshis: number }>(
        `${opts.url}/devnet/faucet`,
        {
          address,
          satoshis,
        },
      )
      process.stdout.write(
        `paid ${paid.satoshis} satoshis to ${address}\n  outpoint ${paid.txid}:${paid.vout}\n`,
      )
    })
  return cmd
}

async function startDevnet(config: ReturnType<typeof resolveConfig<typeof SETTINGS>>): Promise<void> {
  const location =
    config.db === '' ? (process.env['DATABASE_URL'] ?? join(dataDir(), 'devnet.db')) : config.db
  const store = await openStore(location)
  const devnet = await Devnet.open({
    store,
    blockInterval: config.blockInterval,
    policy: { fee: { satoshis: config.feeRate, bytes: config.feeBytes } },
    logger: cliLogger('devnet'),
  })
  const urls = await devnet.listen(config.port, config.host)
  onShutdown(async () => {
    await devnet.close()
    await store.close()
  })
  printDevnet(process.stdout, { devnet, urls, store, blockInterval: config.blockInterval })
  process.stdout.write('Ctrl-C stops it; the chain is kept for the next start.\n')
}
