/** Prints a running devnet's URLs and state, one line each. */
import type { Writable } from 'node:stream'
import type { Devnet, DevnetUrls } from '../devnet/index.ts'
import type { Store } from '../store/index.ts'

export function printDevnet(
  out: Writable,
  args: { devnet: Devnet; urls: DevnetUrls; store: Store; blockInterval: number },
): void {
  const { devnet, urls, store } = args
  const fee = devnet.policy.fee
  const lines: [string, string][] = [
    ['ARC', `${urls.arc}/v1/tx`],
    ['mAPI', `${urls.mapi}/tx`],
    ['headers', `${urls.headers}/api/v1/chain/tip/longest`],
    ['faucet', `POST ${urls.faucet}  {"address": "…", "satoshis": n}`],
    ['mine', `POST ${urls.base}/devnet/mine  {"blocks": n}`],
    ['tip', `height ${devnet.ledger.tip.height}  ${devnet.ledger.tip.hash}`],
    [
      'mining',
      args.blockInterval > 0 ? `every ${args.blockInterval} s while transactions wait` : 'on request only',
    ],
    ['fee', `${fee.satoshis} sat per ${fee.bytes} bytes`],
    ['store', `${store.location} (${store.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`],
  ]
  out.write(`paylink devnet (regtest) on ${urls.base}\n`)
  for (const [name, value] of lines) out.write(`  ${name.padEnd(8)} ${value}\n`)
}
