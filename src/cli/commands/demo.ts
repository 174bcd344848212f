/**
 * `paylink demo`: scripted payments over every model with a progress line per step, ending in a
 * summary table. It uses the `paylink up` running in the data directory (found by its
 * `stack.json`), else starts a temporary stack in a temporary directory and removes it after.
 * Exits 1 when any payment did not end as it should.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command, Option } from 'commander'
import { openStore } from '../../store/index.ts'
import { Wallet } from '../../wallet/index.ts'
import { dataDir } from '../data-dir.ts'
import { amikoPayment, type DemoContext, p4Payment } from '../demo-runs.ts'
import { type DemoRow, printDemoTable } from '../print-demo.ts'
import { Progress } from '../print-progress.ts'
import { startStack, WALLET_FUNDING, WALLET_LOW } from '../stack.ts'
import { readLiveStackFile, type StackFile } from '../stack-file.ts'

/** Far above any channel of the stack (10,000 each side): no route can carry it. */
const OVER_CAPACITY = 50_000

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'pay once in each P4 model (REST, hybrid, websocket) and over Amiko (one committed, one ' +
        'cancelled), with progress, then print a summary; uses a running `paylink up` in the data ' +
        'directory, else a temporary stack',
    )
    .addOption(
      new Option(
        '--data <dir>',
        'the data directory of a running `paylink up` (env PAYLINK_DATA_DIR)',
      ).default(undefined, './.paylink'),
    )
    .action(async (opts: { data?: string }) => {
      const rows = await withStack(dataDir(opts.data), runDemo)
      process.stdout.write('\n')
      printDemoTable(process.stdout, rows)
      if (rows.some((r) => !r.ok)) process.exitCode = 1
    })
}

/** Runs `fn` on the live stack of `dir`, or on a temporary one started for it. */
async function withStack<T>(
  dir: string,
  fn: (stack: StackFile, progress: Progress) => Promise<T>,
): Promise<T> {
  const progress = new Progress(process.stdout)
  const live = readLiveStackFile(dir)
  if (live !== undefined && (await answers(live.merchant))) {
    progress.note(`using the stack \`paylink up\` runs in ${dir}`)
    return fn(live, progress)
  }
  const temp = mkdtempSync(join(tmpdir(), 'paylink-demo-'))
  progress.note(`no \`paylink up\` running in ${dir}: starting a temporary stack in ${temp}`)
  try {
    const ports = { devnet: 0, relay: 0, merchant: 0, amiko: 0, amikoAdmin: 0 }
    const stack = await progress.step('start the stack', () => startStack(temp, ports))
    try {
      return await fn(stack.describe(), progress)
    } finally {
      await stack.close()
    }
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

async function runDemo(stack: StackFile, progress: Progress): Promise<DemoRow[]> {
  const store = await openStore(join(stack.dir, 'wallet.db'))
  try {
    const wallet = await Wallet.open({ store })
    if ((await wallet.balance()).available < WALLET_LOW)
      await progress.step('top up the demo wallet from the faucet', () =>
        wallet.fundFromDevnet(stack.devnet, WALLET_FUNDING),
      )
    const c: DemoContext = { stack, wallet, progress }
    return [
      await p4Payment(c, 'P4 model 1 (REST)', 'rest', 1000),
      await p4Payment(c, 'P4 model 2 (hybrid)', 'hybrid', 2000),
      await p4Payment(c, 'P4 model 3 (websocket)', 'websocket', 3000),
      await amikoPayment(c, {
        label: 'Amiko',
        payer: 'alice',
        payee: 'shop',
        satoshis: 500,
        expect: 'committed',
      }),
      await amikoPayment(c, {
        label: 'Amiko, over capacity',
        payer: 'bob',
        payee: 'shop',
        satoshis: OVER_CAPACITY,
        expect: 'cancelled',
        why: 'more than any channel holds: it must end cancelled',
      }),
    ]
  } finally {
    await store.close()
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(3000) })
    return true
  } catch {
    return false
  }
}
