/**
 * `paylink wallet`: the payer (PROTOCOLS.md P4 §2, §4–§6, §13). Keys, coins and payments live in
 * the wallet store (`--db`, else `--dir`/wallet.db, else `DATABASE_URL`, else
 * `$PAYLINK_DATA_DIR/wallet.db`); `pay` shows the request and asks before paying, unless `--yes`
 * or the amount is within `--max-auto`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { Command, Option } from 'commander'
import { parse } from '../../core/config.ts'
import { openStore, type Store } from '../../store/index.ts'
import { type HttpOptions, Wallet } from '../../wallet/index.ts'
import { argParser } from '../args.ts'
import { dataDir } from '../data-dir.ts'
import {
  printBalance,
  printHistory,
  printPayResult,
  printPresentation,
  printProofs,
} from '../print-wallet.ts'
import { onShutdown } from '../shutdown.ts'

const DEVNET = 'http://127.0.0.1:9090'

/** Flags every subcommand takes. */
interface StoreFlags {
  dir?: string
  db?: string
  json?: boolean
}

function storeOptions(cmd: Command): Command {
  return cmd
    .option('--dir <dir>', 'keep the wallet in DIR/wallet.db')
    .addOption(
      new Option('--db <file|url>', 'wallet store: SQLite file or postgres:// URL')
        .env('PAYLINK_WALLET_DB')
        .default(undefined, '$PAYLINK_DATA_DIR/wallet.db'),
    )
}

/** `--db` (or `PAYLINK_WALLET_DB`), else `--dir`, else `DATABASE_URL`, else the data directory. */
function location(flags: StoreFlags): string {
  if (flags.db !== undefined) return flags.db
  if (flags.dir !== undefined) return join(flags.dir, 'wallet.db')
  const shared = process.env['DATABASE_URL']
  return shared !== undefined && shared !== '' ? shared : join(dataDir(), 'wallet.db')
}

/** Opens the store and the wallet, runs `fn`, closes the store. */
async function withWallet<T>(
  flags: StoreFlags,
  fn: (wallet: Wallet) => Promise<T>,
  http: HttpOptions = {},
): Promise<T> {
  const store = await openStore(location(flags))
  try {
    return await fn(await Wallet.open({ store, create: false, http }))
  } finally {
    await store.close()
  }
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function walletCommand(): Command {
  const cmd = new Command('wallet').description(
    'the payer: keys and coins, pay P4 payment URIs (bitcoin:?sv&r=… or pay:?r=…), keep proofs',
  )
  cmd.addCommand(initCommand())
  cmd.addCommand(
    storeOptions(new Command('address'))
      .description('print a receive address (a fresh one once the last has been paid)')
      .option('--json', 'print JSON')
      .action(async (flags: StoreFlags) => {
        const address = await withWallet(flags, (w) => w.address())
        if (flags.json === true) printJson({ address })
        else process.stdout.write(`${address}\n`)
      }),
  )
  cmd.addCommand(
    storeOptions(new Command('balance'))
      .description('print the satoshis available, reserved by undecided payments, and not yet mined')
      .option('--json', 'print JSON')
      .action(async (flags: StoreFlags) => {
        const balance = await withWallet(flags, (w) => w.balance())
        if (flags.json === true) printJson(balance)
        else printBalance(process.stdout, balance)
      }),
  )
  cmd.addCommand(fundCommand())
  cmd.addCommand(payCommand())
  cmd.addCommand(retryCommand())
  cmd.addCommand(
    storeOptions(new Command('history'))
      .description('list the payments made, newest first, with their outcome and proof')
      .option('--json', 'print JSON')
      .action(async (flags: StoreFlags) => {
        const payments = await withWallet(flags, (w) => w.history())
        if (flags.json === true) printJson(payments)
        else printHistory(process.stdout, payments)
      }),
  )
  cmd.addCommand(proofsCommand())
  cmd.addCommand(serveCommand())
  return cmd
}

function initCommand(): Command {
  return storeOptions(new Command('init'))
    .description('create the wallet (a master key every address is derived from) unless it exists')
    .addOption(
      new Option('--network <network>', 'the network it pays on')
        .choices(['regtest', 'testnet', 'stn', 'bitcoin-sv'])
        .default('regtest'),
    )
    .action(async (flags: StoreFlags & { network: 'regtest' | 'testnet' | 'stn' | 'bitcoin-sv' }) => {
      const store = await openStore(location(flags))
      try {
        const wallet = await Wallet.open({ store, network: flags.network })
        const verb = wallet.created ? 'created' : 'already exists'
        process.stdout.write(`wallet ${verb}: ${store.location} (${wallet.network})\n`)
        process.stdout.write(`  address  ${await wallet.address()}\n`)
      } finally {
        await store.close()
      }
    })
}

function fundCommand(): Command {
  return storeOptions(new Command('fund'))
    .description("get coins from a devnet's faucet (development only); the payment is mined at once")
    .requiredOption('--satoshis <n>', 'how much', argParser(parse.positiveInt))
    .addOption(new Option('--devnet <url>', 'the devnet').env('PAYLINK_DEVNET_URL').default(DEVNET))
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags & { satoshis: number; devnet: string }) => {
      const coin = await withWallet(flags, (w) => w.fundFromDevnet(flags.devnet, flags.satoshis))
      if (flags.json === true) printJson(coin)
      else
        process.stdout.write(
          `funded ${coin.satoshis} satoshis to ${coin.address}\n  outpoint ${coin.txid}:${coin.vout}\n`,
        )
    })
}

interface PayFlags extends StoreFlags {
  yes?: boolean
  maxAuto?: number
  allowInsecure?: boolean
  bip270?: boolean
  proofCallback?: string
  ca?: string
  memo?: string
  refundTo?: string
}

function payCommand(): Command {
  return storeOptions(new Command('pay'))
    .description(
      'pay a payment URI: shows memo, amount, merchant and expiry, asks "Pay? [y/N]", sends the ' +
        'Payment and prints the ACK. Exit code 0 paid, 1 refused or declined, 2 no verdict yet.',
    )
    .argument('<uri>', 'bitcoin:?sv&r=<url> or pay:?r=<url> (quote it in the shell)')
    .option('-y, --yes', 'pay without asking')
    .option(
      '--max-auto <satoshis>',
      'pay without asking when the amount is at most this',
      argParser(parse.nonNegativeInt),
    )
    .option('--allow-insecure', 'accept plain http payment URLs for any host (loopback is always allowed)')
    .option('--bip270', 'ask for and pay in the strict BIP270 dialect instead of P4 JSON')
    .option(
      '--proof-callback <url>',
      'base URL of a running `paylink wallet serve`, to receive the merkle proof',
    )
    .option('--ca <file>', 'trust this PEM certificate for https payment hosts (self-signed merchants)')
    .option('--memo <text>', 'a note to the merchant, sent in the Payment')
    .option('--refund-to <address>', 'where the merchant may refund (sent in the Payment)')
    .option('--json', 'print JSON (implies no prompt: use with --yes or --max-auto)')
    .action(async (uri: string, flags: PayFlags) => {
      const http: HttpOptions = {
        allowInsecure: flags.allowInsecure === true,
        ...(flags.ca === undefined ? {} : { ca: readFileSync(flags.ca) }),
      }
      process.exitCode = await withWallet(flags, (w) => pay(w, uri, flags), http)
    })
}

async function pay(wallet: Wallet, uri: string, flags: PayFlags): Promise<number> {
  const p = await wallet.fetchRequest(uri, { dialect: flags.bip270 === true ? 'bip270' : 'p4' })
  if (flags.json !== true) printPresentation(process.stdout, p)
  const auto = flags.maxAuto !== undefined && p.amount <= flags.maxAuto
  if (flags.yes !== true && !auto && (flags.json === true || !(await confirm('Pay? [y/N] ')))) {
    if (flags.json === true) printJson({ state: 'declined' })
    else process.stdout.write('not paid\n')
    return 1
  }
  const result = await wallet.pay(p, {
    ...(flags.proofCallback === undefined ? {} : { proofCallbackUrl: flags.proofCallback }),
    ...(flags.memo === undefined ? {} : { memo: flags.memo }),
    ...(flags.refundTo === undefined ? {} : { refundTo: flags.refundTo }),
  })
  if (flags.json === true) printJson(result)
  else printPayResult(process.stdout, result)
  return result.state === 'acked' ? 0 : result.state === 'sent' ? 2 : 1
}

/** Asks on the terminal; anything but y/yes (or stdin ending) is no. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')))
  try {
    const answer = await Promise.race([rl.question(question), closed])
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    rl.close()
  }
}

function retryCommand(): Command {
  return storeOptions(new Command('retry'))
    .description('send every payment still awaiting an answer again, byte for byte (the same ACK comes back)')
    .option('--allow-insecure', 'accept plain http payment URLs for any host')
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags & { allowInsecure?: boolean }) => {
      const results = await withWallet(flags, (w) => w.retryPending(), {
        allowInsecure: flags.allowInsecure === true,
      })
      if (flags.json === true) printJson(results)
      else if (results.length === 0) process.stdout.write('nothing awaits an answer\n')
      for (const r of flags.json === true ? [] : results) printPayResult(process.stdout, r)
    })
}

function proofsCommand(): Command {
  return storeOptions(new Command('proofs'))
    .description(
      'list the merkle proofs held; with --headers (or --arc), first collect the missing ones: from the ' +
        'relay channels payments were made over, and with --arc from the broadcaster',
    )
    .addOption(
      new Option('--arc <url>', 'ARC broadcaster to ask (the devnet serves one)').env('PAYLINK_ARC_URL'),
    )
    .addOption(
      new Option('--headers <url>', 'Block Headers Service that proofs are verified against')
        .env('PAYLINK_HEADERS_URL')
        .default(undefined, 'the --arc URL'),
    )
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags & { arc?: string; headers?: string }) => {
      const proofs = await withWallet(flags, async (w) => {
        const headers = flags.headers ?? flags.arc
        if (headers !== undefined) await w.collectRelayProofs(headers)
        if (flags.arc !== undefined) {
          await w.checkProofs(flags.arc, flags.headers === undefined ? {} : { headersUrl: flags.headers })
        }
        return w.proofs()
      })
      if (flags.json === true) printJson(proofs)
      else printProofs(process.stdout, proofs)
    })
}

function serveCommand(): Command {
  return storeOptions(new Command('serve'))
    .description(
      "run the wallet's proofCallbacks endpoint (POST /proofs/{paymentId}) so merchants deliver merkle " +
        'proofs; pay with --proof-callback <its URL>',
    )
    .addOption(
      new Option('--port <port>', 'HTTP port').argParser(argParser(parse.port)).default(0, 'any free port'),
    )
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .addOption(
      new Option('--headers <url>', 'Block Headers Service that proofs are verified against')
        .env('PAYLINK_HEADERS_URL')
        .default(DEVNET),
    )
    .action(async (flags: StoreFlags & { port: number; host: string; headers: string }) => {
      const store: Store = await openStore(location(flags))
      const wallet = await Wallet.open({ store, create: false })
      const server = await wallet.serveProofs({
        headersUrl: flags.headers,
        port: flags.port,
        host: flags.host,
      })
      onShutdown(async () => {
        await server.close()
        await store.close()
      })
      process.stdout.write(`paylink wallet proofs endpoint on ${server.url}\n`)
      process.stdout.write(
        `  pay with  --proof-callback ${server.url}\n  headers   ${flags.headers}\nCtrl-C stops it.\n`,
      )
    })
}
