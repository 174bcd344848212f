/**
 * `paylink up` (what `npm start` runs): the whole stack of `stack.ts` in one process on loopback
 * with embedded defaults, kept in the data directory and reused by the next start. Prints one
 * line per service, the merchant's admin key (kept in clear in the data directory, mode 0600: a
 * local stack) and what to try next; opens nothing. `DIR/stack.json` tells `paylink demo` where
 * the running stack is.
 */
import { Command, Option } from 'commander'
import { parse } from '../../core/config.ts'
import { isPaylinkError, PaylinkError } from '../../core/errors.ts'
import { argParser } from '../args.ts'
import { dataDir } from '../data-dir.ts'
import { printStack } from '../print-stack.ts'
import { onShutdown } from '../shutdown.ts'
import { DEFAULT_PORTS, type StackPorts, startStack } from '../stack.ts'
import { readLiveStackFile, removeStackFile, writeStackFile } from '../stack-file.ts'

export function upCommand(): Command {
  const port = (flag: string, what: string, value: number) =>
    new Option(`${flag} <port>`, what).argParser(argParser(parse.port)).default(value)
  return new Command('up')
    .description(
      'start the whole stack on loopback with embedded defaults (what `npm start` runs): devnet, ' +
        'relay, merchant, a funded demo wallet and four Amiko nodes with channels',
    )
    .addOption(
      new Option('--data <dir>', 'where everything is kept (env PAYLINK_DATA_DIR)').default(
        undefined,
        './.paylink',
      ),
    )
    .addOption(
      port(
        '--devnet-port',
        'devnet HTTP port (ARC, mAPI, headers, faucet), 0 = any free one',
        DEFAULT_PORTS.devnet,
      ),
    )
    .addOption(port('--relay-port', 'relay HTTP port, 0 = any free one', DEFAULT_PORTS.relay))
    .addOption(
      port(
        '--merchant-port',
        'merchant HTTP port (admin API, P4, POS page), 0 = any free one',
        DEFAULT_PORTS.merchant,
      ),
    )
    .addOption(
      port(
        '--amiko-port',
        'first of the four Amiko nodes’ ports (shop, hub, alice, bob), 0 = any free ones (keep them fixed for the links to reconnect after a restart)',
        DEFAULT_PORTS.amiko,
      ),
    )
    .addOption(
      port(
        '--amiko-admin-port',
        'first of the four Amiko admin API ports, 0 = any free ones',
        DEFAULT_PORTS.amikoAdmin,
      ),
    )
    .action(async (opts: { data?: string } & Record<string, number>) => {
      const dir = dataDir(opts.data)
      const ports: StackPorts = {
        devnet: opts['devnetPort'] ?? DEFAULT_PORTS.devnet,
        relay: opts['relayPort'] ?? DEFAULT_PORTS.relay,
        merchant: opts['merchantPort'] ?? DEFAULT_PORTS.merchant,
        amiko: opts['amikoPort'] ?? DEFAULT_PORTS.amiko,
        amikoAdmin: opts['amikoAdminPort'] ?? DEFAULT_PORTS.amikoAdmin,
      }
      const running = readLiveStackFile(dir)
      if (running !== undefined)
        throw new PaylinkError('PL8001', `a paylink up is already running in ${dir} (process ${running.pid})`)
      const stack = await startStack(dir, ports, (line) => process.stdout.write(`… ${line}\n`)).catch(
        (cause: unknown) => {
          // A port in use, say: one line rather than a stack trace.
          if (isPaylinkError(cause)) throw cause
          throw new PaylinkError('PL8001', `cannot start the stack: ${(cause as Error).message}`, { cause })
        },
      )
      // Before the summary: whoever reads it may press Ctrl-C at once.
      onShutdown(async () => {
        removeStackFile(dir)
        await stack.close()
      })
      writeStackFile(dir, stack.describe())
      printStack(process.stdout, stack)
    })
}
