/**
 * The payments of `paylink demo`, each against a running stack described by its `stack.json`:
 * a P4 payment in one deployment model (invoice through the merchant's admin API, paid by the
 * wallet library, ACK, a block, the merchant's proof), and Amiko payments between the stack's
 * nodes through their admin APIs. Each ends as a row of the summary, never by throwing.
 */
import { AdminClient } from '../amiko/admin/admin-client.ts'
import type { PayOutcome } from '../amiko/node/types.ts'
import { PaylinkError } from '../core/errors.ts'
import type { InvoiceView } from '../merchant/invoice-view.ts'
import type { Wallet } from '../wallet/index.ts'
import { postJson } from './http-client.ts'
import type { DemoRow } from './print-demo.ts'
import type { Progress } from './print-progress.ts'
import type { StackFile } from './stack-file.ts'

export interface DemoContext {
  stack: StackFile
  wallet: Wallet
  progress: Progress
}

export type P4Model = 'rest' | 'hybrid' | 'websocket'

const PROOF_WAIT_MS = 30_000
const AMIKO_WAIT_MS = 60_000

/** One P4 payment in `model`: a row `paid, mined` with the proof's block, or `failed: …`. */
export async function p4Payment(
  c: DemoContext,
  label: string,
  model: P4Model,
  satoshis: number,
): Promise<DemoRow> {
  const row: DemoRow = { model: label, satoshis, latencyMs: undefined, finalState: '', proof: '—', ok: false }
  try {
    const invoice = await c.progress.step(`${label}: create an invoice of ${satoshis} satoshis`, () =>
      createInvoice(c.stack, { satoshis, description: `paylink demo, ${label}`, model }),
    )
    const started = Date.now()
    const paid = await c.progress.step(`${label}: pay it with the wallet, wait for the ACK`, async () => {
      const presentation = await c.wallet.fetchRequest(invoice.bitcoinUri)
      const result = await c.wallet.pay(presentation)
      if (result.state !== 'acked')
        throw new PaylinkError(
          'PL9001',
          `the payment is ${result.state}: ${result.reason ?? result.memo ?? ''}`,
        )
      return result
    })
    row.latencyMs = Date.now() - started
    row.finalState = 'acked'
    const block = await c.progress.step(`${label}: mine a block`, () =>
      postJson<{ height: number }>(`${c.stack.devnet}/devnet/mine`, { blocks: 1 }),
    )
    const done = await c.progress.step(`${label}: wait for the merchant's merkle proof`, () =>
      provenInvoice(c.stack, invoice.id),
    )
    row.finalState = `${done.state}, ${done.payment?.state ?? 'no payment'}`
    row.proof = `block ${done.payment?.proof?.blockHeight ?? block.height}`
    row.ok = done.state === 'paid' && done.payment?.txid === paid.txid
  } catch (err) {
    row.finalState = `failed after ${row.finalState || 'start'}: ${(err as Error).message}`
  }
  return row
}

/** Asks the stack's merchant for an invoice (the admin API, PROTOCOLS.md P4 §3). */
async function createInvoice(
  stack: StackFile,
  body: { satoshis: number; description: string; model: P4Model },
): Promise<InvoiceView> {
  return adminCall<InvoiceView>(stack, 'POST', '/api/v1/invoices', body)
}

/** Polls the invoice until its payment has a proof. */
async function provenInvoice(stack: StackFile, id: string): Promise<InvoiceView> {
  const end = Date.now() + PROOF_WAIT_MS
  for (;;) {
    const invoice = await adminCall<InvoiceView>(stack, 'GET', `/api/v1/invoices/${encodeURIComponent(id)}`)
    if (invoice.payment?.proof != null) return invoice
    if (Date.now() > end)
      throw new PaylinkError(
        'PL9001',
        `no proof after ${PROOF_WAIT_MS / 1000} s (payment ${invoice.payment?.state})`,
      )
    await new Promise((r) => setTimeout(r, 250))
  }
}

async function adminCall<T>(
  stack: StackFile,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${stack.merchant}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.adminKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  })
  const json = (await res.json()) as Record<string, unknown>
  if (!res.ok)
    throw new PaylinkError('PL9001', `the merchant answered ${res.status}: ${String(json['message'] ?? '')}`)
  return json as T
}

/**
 * An Amiko payment: `payee` requests `satoshis`, `payer` pays the `amikopay://` URL and agrees.
 * `expect` is how it should end: `committed`, or `cancelled` (e.g. more than any route carries).
 */
export async function amikoPayment(
  c: DemoContext,
  o: {
    label: string
    payer: string
    payee: string
    satoshis: number
    expect: PayOutcome['state']
    /** Said in the progress line: why it should end as expected. */
    why?: string
  },
): Promise<DemoRow> {
  const row: DemoRow = {
    model: o.label,
    satoshis: o.satoshis,
    latencyMs: undefined,
    finalState: '',
    proof: '—',
    ok: false,
  }
  try {
    const payee = nodeClient(c.stack, o.payee)
    const payer = nodeClient(c.stack, o.payer)
    const request = await c.progress.step(`${o.label}: ${o.payee} requests ${o.satoshis} satoshis`, () =>
      payee.request(o.satoshis, `paylink demo, ${o.label}`),
    )
    const started = Date.now()
    await c.progress.step(
      `${o.label}: ${o.payer} pays ${request.url}${o.why === undefined ? '' : ` (${o.why})`}`,
      async () => {
        const offer = await payer.pay(request.url)
        const outcome = await withTimeout(payer.confirm(offer.payer, true), AMIKO_WAIT_MS)
        row.latencyMs = Date.now() - started
        row.finalState =
          outcome.state === 'cancelled' ? `cancelled (${outcome.reason ?? 'no reason'})` : outcome.state
        row.proof = outcome.token === null ? '—' : `token ${outcome.token.slice(0, 16)}…`
        row.ok = outcome.state === o.expect
        if (!row.ok) throw new PaylinkError('PL9001', `it ended ${row.finalState}, not ${o.expect}`)
      },
    )
  } catch (err) {
    const code = (err as { code?: unknown }).code
    // An outcome other than the expected one is already in the row; anything else is a failure.
    if (row.finalState === '')
      row.finalState = `failed: ${(err as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`
  }
  return row
}

function nodeClient(stack: StackFile, name: string): AdminClient {
  const node = stack.nodes[name]
  if (node === undefined) throw new PaylinkError('PL8001', `the stack has no Amiko node ${name}`)
  return AdminClient.forDir(node.dir)
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PaylinkError('PL9001', `no outcome in ${ms / 1000} s`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
