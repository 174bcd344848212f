/**
 * `paylink up` (what `npm start` runs): the whole stack in one process on loopback with embedded
 * defaults. Today: the devnet, mining every few seconds, and a merchant broadcasting to it; the
 * relay, demo wallet and Amiko network join them as they are built. The merchant's admin key is
 * kept in clear in the data directory (mode 0600) so every start can print it: a local stack.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command, Option } from 'commander'
import { randomToken } from '../../core/ids.ts'
import { Devnet } from '../../devnet/index.ts'
import { Merchant } from '../../merchant/merchant.ts'
import { openStore } from '../../store/index.ts'
import { dataDir } from '../data-dir.ts'
import { cliLogger } from '../logger.ts'
import { printDevnet } from '../print-devnet.ts'
import { onShutdown } from '../shutdown.ts'

const BLOCK_INTERVAL = 5

export function upCommand(): Command {
  return new Command('up')
    .description('start the whole stack on loopback with embedded defaults (what `npm start` runs)')
    .addOption(
      new Option('--data <dir>', 'where everything is kept (env PAYLINK_DATA_DIR)').default(
        undefined,
        './.paylink',
      ),
    )
    .addOption(new Option('--devnet-port <port>', 'devnet HTTP port').default(9090))
    .addOption(new Option('--merchant-port <port>', 'merchant HTTP port').default(8443))
    .action(async (opts: { data?: string; devnetPort: number | string; merchantPort: number | string }) => {
      const dir = dataDir(opts.data)
      const store = await openStore(join(dir, 'devnet.db'))
      const devnet = await Devnet.open({ store, blockInterval: BLOCK_INTERVAL, logger: cliLogger('devnet') })
      const urls = await devnet.listen(Number(opts.devnetPort))
      const merchantStore = await openStore(join(dir, 'merchant.db'))
      const apiKey = adminKey(dir)
      const merchantUrl = `http://127.0.0.1:${Number(opts.merchantPort)}`
      const merchant = await Merchant.open({
        store: merchantStore,
        broadcasterUrl: urls.arc,
        headersUrl: urls.headers,
        publicUrl: merchantUrl,
        apiKey,
        logger: cliLogger('merchant'),
      })
      await merchant.listen(Number(opts.merchantPort))
      onShutdown(async () => {
        await merchant.close()
        await merchantStore.close()
        await devnet.close()
        await store.close()
      })
      const out = process.stdout
      out.write(`paylink up: data in ${dir}\n`)
      printDevnet(out, { devnet, urls, store, blockInterval: BLOCK_INTERVAL })
      out.write(`paylink merchant on ${merchantUrl}\n`)
      out.write(`  invoices POST ${merchantUrl}/api/v1/invoices\n`)
      out.write(`  admin key ${apiKey}\n`)
      out.write('Ctrl-C stops everything; the next start reuses the data directory.\n')
    })
}

/** The local stack's admin key: read from the data directory, created there on first start. */
function adminKey(dir: string): string {
  const file = join(dir, 'merchant-admin-key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const key = randomToken()
  writeFileSync(file, `${key}\n`, { mode: 0o600 })
  return key
}
