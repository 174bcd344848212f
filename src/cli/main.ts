/**
 * The `paylink` command line: one commander program, one file per command. This folder is the
 * only place that prints to the terminal.
 */
import { Command, CommanderError } from 'commander'
import { isPaylinkError } from '../core/errors.ts'
import { demoCommand } from './commands/demo.ts'
import { devnetCommand } from './commands/devnet.ts'
import { merchantCommand } from './commands/merchant.ts'
import { nodeCommand } from './commands/node.ts'
import { relayCommand } from './commands/relay.ts'
import { upCommand } from './commands/up.ts'
import { walletCommand } from './commands/wallet.ts'
import { VERSION } from './version.ts'

export function buildProgram(): Command {
  return new Command('paylink')
    .description(
      'Peer-to-peer payments: P4 (BIP270) merchants, relays and wallets, Amiko payment links over ' +
        'payment channels, and a BSV development chain to try them on.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(upCommand())
    .addCommand(devnetCommand())
    .addCommand(merchantCommand())
    .addCommand(relayCommand())
    .addCommand(walletCommand())
    .addCommand(nodeCommand())
    .addCommand(demoCommand())
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().exitOverride().parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode)
    if (isPaylinkError(err)) {
      process.stderr.write(`paylink: ${err.message} (${err.code})\n`)
      process.exit(1)
    }
    throw err
  }
}

await main(process.argv)
