/**
 * `paylink node`: an Amiko node (protocols-amiko.md). `start` runs one in the foreground with a
 * loopback admin API (`src/amiko/admin`) whose URL and bearer token it writes to `DIR/admin.json`;
 * every other subcommand reads that file and drives the running node through the API, except
 * `verify-proof`, which checks a proof of payment offline.
 */
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline/promises'
import { Command } from 'commander'
import QRCode from 'qrcode'
import { AdminApiError, AdminClient } from '../../amiko/admin/admin-client.ts'
import { paymentProofSchema, verifyPaymentProof } from '../../amiko/admin/payment-proof.ts'
import { parse } from '../../core/config.ts'
import { argParser } from '../args.ts'
import {
  printBalance,
  printOffer,
  printOutcome,
  printPayments,
  printSummary,
  printVerdict,
} from '../print-node.ts'
import { dirOption, nodeDir, nodeStartCommand } from './node-start.ts'

/** Flags every client subcommand takes. */
interface ClientFlags {
  dir?: string
  json?: boolean
}

function clientCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(dirOption())
    .option('--json', 'print JSON (as the admin API answers it)')
}

/**
 * Runs `fn` with the client of the node in `--dir`. An error answer of the node is one line on
 * stderr and exit code 1 (the CLI's entry point only knows PaylinkErrors).
 */
async function withClient(flags: ClientFlags, fn: (client: AdminClient) => Promise<void>): Promise<void> {
  try {
    await fn(AdminClient.forDir(nodeDir(flags)))
  } catch (err) {
    if (!(err instanceof AdminApiError)) throw err
    process.stderr.write(`paylink: ${err.message} (${err.code})\n`)
    process.exitCode = 1
  }
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

const satoshis = argParser(parse.nonNegativeInt)

export function nodeCommand(): Command {
  return new Command('node')
    .description(
      'an Amiko node: links with payment channels to other nodes, meeting points, payment requests ' +
        '(amikopay:// URLs) and paying them. `start` runs it; the other commands talk to the running ' +
        'node through its loopback admin API (found in DIR/admin.json), except verify-proof',
    )
    .addCommand(nodeStartCommand())
    .addCommand(makeLinkCommand())
    .addCommand(depositCommand())
    .addCommand(meetingPointCommand())
    .addCommand(requestCommand())
    .addCommand(payCommand())
    .addCommand(listCommand())
    .addCommand(balanceCommand())
    .addCommand(paymentsCommand())
    .addCommand(withdrawCommand())
    .addCommand(verifyProofCommand())
}

function makeLinkCommand(): Command {
  return clientCommand(
    'makelink',
    "make a link to another node and print this side's amikolink:// URL; give the peer's URL with " +
      '--remote, or hand this URL to the peer so it makes its side with --remote',
  )
    .argument('<name>', 'local name of the link: 1–64 chars of [A-Za-z0-9._~-], not starting with _')
    .option('--remote <url>', "the peer's amikolink://host:port/name?key=… URL: this node dials it")
    .action(async (name: string, flags: ClientFlags & { remote?: string }) => {
      await withClient(flags, async (client) => {
        const link = await client.makeLink(name, flags.remote)
        if (flags.json === true) printJson(link)
        else process.stdout.write(`${link.url}\n`)
      })
    })
}

function depositCommand(): Command {
  return clientCommand(
    'deposit',
    'open a payment channel on a link with SATOSHIS of ours (and --remote SATOSHIS of the peer); ' +
      'waits until the peer has accepted it',
  )
    .argument('<link>', 'the link')
    .argument('<satoshis>', 'our deposit', satoshis)
    .option('--remote <satoshis>', "the peer's deposit", satoshis)
    .action(async (link: string, amount: number, flags: ClientFlags & { remote?: number }) => {
      await withClient(flags, async (client) => {
        const channel = await client.deposit(link, amount, flags.remote)
        if (flags.json === true) printJson(channel)
        else
          process.stdout.write(
            `channel ${channel.channelIndex} on ${link}: ${amount} ours, ${flags.remote ?? 0} theirs\n`,
          )
      })
    })
}

function meetingPointCommand(): Command {
  return clientCommand(
    'makemeetingpoint',
    'host a meeting point: payers and payees route to it and meet here',
  )
    .argument('<id>', 'meeting point ID (the link-name form)')
    .action(async (id: string, flags: ClientFlags) => {
      await withClient(flags, async (client) => {
        const made = await client.makeMeetingPoint(id)
        if (flags.json === true) printJson(made)
        else process.stdout.write(`hosting meeting point ${made.id}\n`)
      })
    })
}

function requestCommand(): Command {
  return clientCommand('request', 'create a payment request and print its amikopay:// URL for the payer')
    .argument('<amount>', 'satoshis', argParser(parse.positiveInt))
    .argument('<receipt>', 'what is paid for: the payee signs it with the amount (≤ 4096 bytes)')
    .option('--qr', 'also print the URL as a QR code')
    .action(async (amount: number, receipt: string, flags: ClientFlags & { qr?: boolean }) => {
      await withClient(flags, async (client) => {
        const request = await client.request(amount, receipt)
        if (flags.json === true) printJson(request)
        else process.stdout.write(`${request.url}\n`)
        if (flags.qr === true && flags.json !== true)
          process.stdout.write(await QRCode.toString(request.url, { type: 'terminal', small: true }))
      })
    })
}

interface PayFlags extends ClientFlags {
  yes?: boolean
  maxAuto?: number
}

function payCommand(): Command {
  return clientCommand(
    'pay',
    'pay an amikopay:// URL: shows amount and receipt, asks "Pay? [y/N]", waits until the payment ' +
      'ends and prints committed or cancelled. Exit code 0 committed, 1 cancelled or declined.',
  )
    .argument('<url>', 'the amikopay://host:port/ID URL')
    .option('-y, --yes', 'pay without asking')
    .option('--max-auto <satoshis>', 'pay without asking when the amount is at most this', satoshis)
    .action(async (url: string, flags: PayFlags) => {
      // --json implies no prompt: without --yes or --max-auto it declines.
      await withClient(flags, async (client) => {
        const offer = await client.pay(url)
        if (flags.json !== true) printOffer(process.stdout, offer)
        const auto = flags.maxAuto !== undefined && offer.amount <= flags.maxAuto
        const agree = flags.yes === true || auto || (flags.json !== true && (await ask('Pay? [y/N] ')))
        const outcome = await client.confirm(offer.payer, agree)
        if (flags.json === true) printJson({ ...offer, ...outcome })
        else printOutcome(process.stdout, outcome)
        process.exitCode = outcome.state === 'committed' ? 0 : 1
      })
    })
}

/** Asks on the terminal; anything but y/yes (or stdin ending) is no. */
async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  const closed = new Promise<string>((done) => rl.once('close', () => done('')))
  try {
    return /^y(es)?$/i.test((await Promise.race([rl.question(question), closed])).trim())
  } finally {
    rl.close()
  }
}

function listCommand(): Command {
  return clientCommand(
    'list',
    "print the node's whole state: links, channels, meeting points, payers, payees",
  ).action(async (flags: ClientFlags) => {
    await withClient(flags, async (client) => {
      const state = await client.list()
      if (flags.json === true) printJson(state)
      else printSummary(process.stdout, state)
    })
  })
}

function balanceCommand(): Command {
  return clientCommand(
    'balance',
    'print the local and remote balance of each link, and the local total',
  ).action(async (flags: ClientFlags) => {
    await withClient(flags, async (client) => {
      const balance = await client.balance()
      if (flags.json === true) printJson(balance)
      else printBalance(process.stdout, balance)
    })
  })
}

function paymentsCommand(): Command {
  return clientCommand(
    'payments',
    'print the payment log: one line per finished payment (negative amounts paid); a committed ' +
      "payer line is the payer's proof of payment (see verify-proof)",
  ).action(async (flags: ClientFlags) => {
    await withClient(flags, async (client) => {
      const payments = await client.payments()
      if (flags.json === true) printJson(payments)
      else printPayments(process.stdout, payments)
    })
  })
}

function withdrawCommand(): Command {
  return clientCommand('withdraw', 'close a channel of a link, returning each side its balance')
    .argument('<link>', 'the link')
    .argument('<channel>', 'the channel index', argParser(parse.nonNegativeInt))
    .action(async (link: string, channel: number, flags: ClientFlags) => {
      await withClient(flags, async (client) => {
        const done = await client.withdraw(link, channel)
        if (flags.json === true) printJson(done)
        else process.stdout.write(`withdrawing channel ${channel} on ${link}\n`)
      })
    })
}

function verifyProofCommand(): Command {
  return new Command('verify-proof')
    .description(
      'check a proof of payment (a committed payer line of `payments --json`, saved to FILE): the ' +
        "token hashes to the transaction ID and the payee's signature covers amount, receipt and " +
        'transaction ID. Needs no running node. Exit code 0 valid, 1 invalid.',
    )
    .argument('<file>', 'JSON {amount, receipt, transactionId, token, signature, payeeKey}')
    .option('--json', 'print JSON {valid, reasons}')
    .action((file: string, flags: { json?: boolean }) => {
      const parsed = readProof(file)
      const verdict = parsed.ok
        ? verifyPaymentProof(parsed.proof)
        : { valid: false, reasons: [parsed.reason] }
      if (flags.json === true) printJson(verdict)
      else printVerdict(process.stdout, parsed.ok ? parsed.proof : undefined, verdict)
      process.exitCode = verdict.valid ? 0 : 1
    })
}

function readProof(
  file: string,
): { ok: true; proof: ReturnType<typeof paymentProofSchema.parse> } | { ok: false; reason: string } {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    return { ok: false, reason: `cannot read ${file} as JSON: ${(err as Error).message}` }
  }
  const parsed = paymentProofSchema.safeParse(json)
  if (parsed.success) return { ok: true, proof: parsed.data }
  const issue = parsed.error.issues[0]
  return {
    ok: false,
    reason: `not a proof of payment: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
  }
}
