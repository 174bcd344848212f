/** Prints a started `paylink up` stack: one aligned line per service (name, URL, note), then what to try. */
import { relative } from 'node:path'
import type { Writable } from 'node:stream'
import { dataDir } from './data-dir.ts'
import type { Stack } from './stack.ts'
import { MEETING_POINT } from './stack-amiko.ts'

/** URLs longer than this do not widen the URL column. */
const LONG_URL = 40

/** The service lines: [name, URL, note]. Tests read them back by this shape. */
export function serviceLines(stack: Stack): [string, string, string][] {
  const { devnet, devnetUrls } = stack
  const lines: [string, string, string][] = [
    [
      'devnet',
      devnetUrls.base,
      `ARC, mAPI, headers, faucet; tip ${devnet.ledger.tip.height}; a block every 5 s while transactions wait`,
    ],
    ['relay', stack.relayUrl, 'P4 server for models 2 (hybrid) and 3 (websocket)'],
    ['merchant', stack.merchantUrl, 'admin API POST /api/v1/invoices  (Authorization: Bearer <admin key>)'],
    ['POS page', `${stack.merchantUrl}/pos#key=${stack.adminKey}`, 'opens signed in with the admin key'],
    [
      'wallet page',
      `${stack.merchantUrl}/wallet`,
      'a browser wallet for devnet coins (its key stays in the browser)',
    ],
  ]
  for (const n of Object.values(stack.amiko.nodes)) {
    const role =
      n.name === 'shop'
        ? ", the merchant's payee node"
        : n.name === 'hub'
          ? `, meeting point ${MEETING_POINT}`
          : ''
    lines.push([
      `amiko ${n.name}`,
      n.admin.url,
      `admin API; node on ${n.address.host}:${n.address.port}${role}`,
    ])
  }
  return lines
}

export function printStack(out: Writable, stack: Stack): void {
  const lines = serviceLines(stack)
  const nameWidth = Math.max(...lines.map(([name]) => name.length), 'admin key'.length) + 2
  // The POS page's URL carries the admin key: aligning every note after it would push them all
  // far to the right, so a URL that long does not set the column (its note follows two spaces).
  const urlWidth = Math.max(...lines.map(([, url]) => url.length).filter((n) => n <= LONG_URL)) + 2
  out.write(`paylink up: data in ${stack.dir}\n`)
  for (const [name, url, note] of lines) {
    const cell = url.length < urlWidth ? url.padEnd(urlWidth) : `${url}  `
    out.write(`${`  ${name.padEnd(nameWidth)}${cell}${note}`.trimEnd()}\n`)
  }
  const w = stack.wallet
  out.write(`  ${'wallet'.padEnd(nameWidth)}${w.available} satoshis at ${w.address}  (${shown(w.path)})\n`)
  out.write(`  ${'admin key'.padEnd(nameWidth)}${stack.adminKey}\n`)
  out.write('Try, in another terminal:\n')
  // The commands find this stack's data directory by themselves when it is the default one.
  const elsewhere = stack.dir !== dataDir()
  const hints: [string, string][] = [
    [
      `npx paylink demo${elsewhere ? ` --data ${shown(stack.dir)}` : ''}`,
      'a payment in each P4 model and over Amiko, then a summary',
    ],
    [
      `npx paylink wallet balance${elsewhere ? ` --dir ${shown(stack.dir)}` : ''}`,
      'the demo wallet (it pays with `npx paylink wallet pay <uri>`)',
    ],
    [`npx paylink node balance --dir ${shown(stack.amiko.nodes.alice.dir)}`, "alice's Amiko channels"],
  ]
  const hintWidth = Math.max(...hints.map(([cmd]) => cmd.length)) + 2
  for (const [cmd, what] of hints) out.write(`  ${cmd.padEnd(hintWidth)}${what}\n`)
  out.write('Ctrl-C stops everything; the next start reuses the data directory.\n')
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel === '' || rel.startsWith('..') ? path : rel
}
