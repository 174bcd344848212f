/**
 * `paylink merchant`: the payee server (PROTOCOLS.md P4 §1, §3, §4): invoices behind an API key,
 * the P4 REST endpoints, broadcasting through ARC (default) or mAPI, proofs.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command, Option } from 'commander'
import { parse, resolveConfig } from '../../core/config.ts'
import { PaylinkError } from '../../core/errors.ts'
import { createInvoiceSchema } from '../../merchant/invoices.ts'
import { Merchant } from '../../merchant/merchant.ts'
import { createStoredInvoice } from '../../merchant/stored-invoice.ts'
import { openStore } from '../../store/index.ts'
import { dataDir } from '../data-dir.ts'
import { cliLogger } from '../logger.ts'
import { onShutdown } from '../shutdown.ts'

const DEVNET = 'http://127.0.0.1:9090'

const SETTINGS = {
  port: { env: 'PAYLINK_MERCHANT_PORT', default: 8443, parse: parse.port },
  host: { env: 'PAYLINK_MERCHANT_HOST', default: '127.0.0.1', parse: parse.string },
  db: { env: 'PAYLINK_MERCHANT_DB', default: '', parse: parse.string },
  arc: { env: 'PAYLINK_ARC_URL', default: '', parse: parse.string },
  arcKey: { env: 'PAYLINK_ARC_KEY', default: '', parse: parse.string },
  mapi: { env: 'PAYLINK_MAPI_URL', default: '', parse: parse.string },
  headers: { env: 'PAYLINK_HEADERS_URL', default: '', parse: parse.string },
  headersKey: { env: 'PAYLINK_HEADERS_KEY', default: '', parse: parse.string },
  apiKey: { env: 'PAYLINK_API_KEY', default: '', parse: parse.string },
  publicUrl: { env: 'PAYLINK_PUBLIC_URL', default: '', parse: parse.string },
  tlsCert: { env: 'PAYLINK_TLS_CERT', default: '', parse: parse.string },
  tlsKey: { env: 'PAYLINK_TLS_KEY', default: '', parse: parse.string },
  spvRequired: { env: 'PAYLINK_SPV_REQUIRED', default: false, parse: parse.boolean },
  maxBody: { env: 'PAYLINK_MAX_BODY', default: 64 * 1024, parse: parse.positiveInt },
  allowInsecure: { env: 'PAYLINK_ALLOW_INSECURE', default: false, parse: parse.boolean },
  relay: { env: 'PAYLINK_RELAY_URL', default: '', parse: parse.string },
  relayKey: { env: 'PAYLINK_RELAY_KEY', default: '', parse: parse.string },
  listen: { env: 'PAYLINK_MERCHANT_LISTEN', default: true, parse: parse.boolean },
  devnetUrl: { env: 'PAYLINK_DEVNET_URL', default: '', parse: parse.string },
}

type Config = ReturnType<typeof resolveConfig<typeof SETTINGS>>

export function merchantCommand(): Command {
  return new Command('merchant')
    .description('the payee server: invoices, P4 payment endpoints, broadcasting and proofs')
    .addOption(
      new Option('--port <port>', 'HTTP(S) port (env PAYLINK_MERCHANT_PORT)').default(undefined, '8443'),
    )
    .addOption(
      new Option('--host <host>', 'address to bind (env PAYLINK_MERCHANT_HOST)').default(
        undefined,
        '127.0.0.1',
      ),
    )
    .addOption(
      new Option('--db <file|url>', 'SQLite file or postgres:// URL').default(
        undefined,
        '$PAYLINK_DATA_DIR/merchant.db',
      ),
    )
    .addOption(
      new Option('--arc <url>', 'ARC broadcaster base URL (env PAYLINK_ARC_URL)').default(undefined, DEVNET),
    )
    .option('--arc-key <key>', 'ARC API key (env PAYLINK_ARC_KEY)')
    .option(
      '--mapi <url>',
      'broadcast through mAPI at this base URL (…/mapi) instead of ARC (env PAYLINK_MAPI_URL)',
    )
    .addOption(
      new Option('--headers <url>', 'Block Headers Service base URL (env PAYLINK_HEADERS_URL)').default(
        undefined,
        'the --arc URL',
      ),
    )
    .option('--headers-key <key>', 'Block Headers Service API key')
    .option(
      '--api-key <key>',
      'admin API key to accept (one is generated and printed on first start when none is given)',
    )
    .option('--public-url <url>', 'origin customers and broadcasters reach, e.g. https://shop.example')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'and this private key (PEM)')
    .option('--spv-required', 'invoices require SPV ancestry unless they say otherwise')
    .addOption(new Option('--max-body <bytes>', 'largest Payment body').default(undefined, '65536'))
    .option('--allow-insecure', 'accept plain-http proof callback URLs for any host (development only)')
    .option(
      '--relay <url>',
      'relay (paylink relay) for hybrid and websocket invoices (env PAYLINK_RELAY_URL)',
    )
    .option('--relay-key <key>', 'the merchant key the relay issued (env PAYLINK_RELAY_KEY)')
    .option(
      '--devnet-url <url>',
      'a devnet base URL: serves the browser wallet demo at /wallet, funded from its faucet (development only; env PAYLINK_DEVNET_URL)',
    )
    .option(
      '--no-listen',
      'bind no port at all (behind NAT): serve relay invoices only, created with `paylink merchant invoice`',
    )
    .action(async (flags: Record<string, string | boolean | undefined>) => {
      // commander sets `listen: true` unless --no-listen is given: only `false` is a flag here,
      // so PAYLINK_MERCHANT_LISTEN=false still counts.
      const given = { ...flags, listen: flags['listen'] === false ? false : undefined }
      await startMerchant(resolveConfig(SETTINGS, given, process.env))
    })
    .addCommand(invoiceCommand())
}

const INVOICE_SETTINGS = {
  db: SETTINGS.db,
  relay: SETTINGS.relay,
  relayKey: SETTINGS.relayKey,
  spvRequired: SETTINGS.spvRequired,
}

/**
 * `paylink merchant invoice`: creates an invoice in the merchant's store without its HTTP API,
 * for a merchant running with `--no-listen`. A relay invoice's channel is opened here; the
 * running merchant joins it within a second, and this waits (10 s at most) until it has.
 */
function invoiceCommand(): Command {
  return new Command('invoice')
    .description('create an invoice in the store of a merchant (one that runs with --no-listen, say)')
    .requiredOption('--amount <satoshis>', 'amount in satoshis')
    .option('--description <text>', 'what is paid for', 'payment')
    .option('--reference <text>', "the merchant's own reference")
    .addOption(new Option('--model <model>', 'P4 deployment model').choices(['rest', 'hybrid', 'websocket']))
    .option('--json', 'print the Invoice object (as the admin API answers it)')
    .action(async (flags: Record<string, string | boolean | undefined>, cmd: Command) => {
      const all = cmd.optsWithGlobals<Record<string, string | boolean | undefined>>()
      const c = resolveConfig(INVOICE_SETTINGS, all, process.env)
      const body = createInvoiceSchema.safeParse({
        satoshis: Number(flags['amount']),
        description: flags['description'],
        ...(typeof flags['reference'] === 'string' ? { reference: flags['reference'] } : {}),
        ...(typeof flags['model'] === 'string' ? { model: flags['model'] } : {}),
      })
      if (!body.success) throw new PaylinkError('PL1004', `invalid invoice: ${body.error.issues[0]?.message}`)
      const store = await openStore(storeLocation(c.db))
      try {
        const { invoice, merchantJoined } = await createStoredInvoice(store, body.data, {
          spvRequired: c.spvRequired,
          ...(c.relay === '' ? {} : { relayUrl: c.relay, relayKey: c.relayKey }),
        })
        if (!merchantJoined) {
          process.stderr.write(
            'warning: no merchant has joined the channel yet; is `paylink merchant --no-listen` running on this store?\n',
          )
        }
        if (flags['json'] === true) process.stdout.write(`${JSON.stringify(invoice, null, 2)}\n`)
        else {
          process.stdout.write(
            `invoice ${invoice.id}: ${invoice.satoshis} satoshis, model ${invoice.model}\n`,
          )
          process.stdout.write(`  pay with  ${invoice.bitcoinUri}\n`)
        }
      } finally {
        await store.close()
      }
    })
}

function storeLocation(db: string): string {
  return db !== '' ? db : (process.env['DATABASE_URL'] ?? join(dataDir(), 'merchant.db'))
}

async function startMerchant(c: Config): Promise<void> {
  if ((c.tlsCert === '') !== (c.tlsKey === ''))
    throw new PaylinkError('PL8001', '--tls-cert and --tls-key go together')
  const tls = c.tlsCert === '' ? undefined : { cert: readFileSync(c.tlsCert), key: readFileSync(c.tlsKey) }
  const scheme = tls === undefined ? 'http' : 'https'
  const publicUrl = c.publicUrl !== '' ? c.publicUrl : `${scheme}://${c.host}:${c.port}`
  const arc = c.arc !== '' ? c.arc : DEVNET
  if (!c.listen && c.relay === '')
    throw new PaylinkError(
      'PL8001',
      '--no-listen needs a relay (--relay): customers reach the merchant there',
    )
  const store = await openStore(storeLocation(c.db))
  const merchant = await Merchant.open({
    store,
    broadcasterUrl: c.mapi !== '' ? c.mapi : arc,
    broadcasterApi: c.mapi !== '' ? 'mapi' : 'arc',
    ...(c.arcKey === '' ? {} : { broadcasterKey: c.arcKey }),
    headersUrl: c.headers !== '' ? c.headers : arc,
    ...(c.headersKey === '' ? {} : { headersKey: c.headersKey }),
    publicUrl: c.listen ? publicUrl : undefined,
    ...(c.apiKey === '' ? {} : { apiKey: c.apiKey }),
    spvRequired: c.spvRequired,
    maxBody: c.maxBody,
    allowInsecure: c.allowInsecure,
    ...(tls === undefined ? {} : { tls }),
    ...(c.relay === '' ? {} : { relayUrl: c.relay }),
    ...(c.relayKey === '' ? {} : { relayKey: c.relayKey }),
    ...(c.devnetUrl === '' ? {} : { devnetUrl: c.devnetUrl }),
    logger: cliLogger('merchant'),
  })
  // With no server, nothing else holds the process open (the merchant's timers are unref'd).
  const keepAlive = c.listen ? undefined : setInterval(() => undefined, 2 ** 30)
  onShutdown(async () => {
    clearInterval(keepAlive)
    await merchant.close()
    await store.close()
  })
  const out = process.stdout
  if (c.listen) out.write(`paylink merchant on ${await merchant.listen(c.port, c.host)}\n`)
  else out.write('paylink merchant with no listening port: relay invoices only (paylink merchant invoice)\n')
  if (c.listen) {
    out.write(`  invoices     POST ${publicUrl}/api/v1/invoices  (Authorization: Bearer <admin key>)\n`)
    out.write(`  payments     ${publicUrl}/api/v1/payment/{id}\n`)
  }
  out.write(`  broadcaster  ${c.mapi !== '' ? `mAPI ${c.mapi}` : `ARC ${arc}`}\n`)
  out.write(`  headers      ${c.headers !== '' ? c.headers : arc}\n`)
  if (c.relay !== '') out.write(`  relay        ${c.relay} (invoices default to model websocket)\n`)
  out.write(`  store        ${store.location} (${store.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})\n`)
  if (merchant.createdApiKey !== undefined && c.listen) {
    out.write(
      `  admin key    ${merchant.createdApiKey}\n               (created now and shown once: keep it)\n`,
    )
  }
  out.write('Ctrl-C stops it.\n')
}
