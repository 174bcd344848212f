/** How `paylink wallet` prints requests, payments, balances and proofs: one fact a line. */
import type { Writable } from 'node:stream'
import type { Balance, PaymentRecord, PayResult, Presentation, ProofRecord } from '../wallet/index.ts'

function rows(out: Writable, lines: [string, string][]): void {
  for (const [name, value] of lines) out.write(`  ${name.padEnd(9)} ${value}\n`)
}

/** What the customer is asked to pay. */
export function printPresentation(out: Writable, p: Presentation): void {
  rows(out, [
    ['merchant', p.merchant],
    ['memo', p.memo === '' ? '(none)' : p.memo],
    ['amount', `${p.amount} satoshis`],
    ['expires', p.expiresAt === undefined ? 'never' : new Date(p.expiresAt).toISOString()],
    ['pay to', `${p.paymentUrl} (${p.dialect === 'p4' ? 'P4 JSON' : 'BIP270'})`],
  ])
}

/** The outcome of `pay` or `retry`. */
export function printPayResult(out: Writable, r: PayResult): void {
  const memo = r.memo === undefined || r.memo === '' ? '' : `\n  memo: ${r.memo}`
  if (r.state === 'acked') out.write(`paid ${r.txid}${memo}\n`)
  else if (r.state === 'refused') out.write(`refused: ${r.reason ?? 'no reason given'}${memo}\n`)
  else
    out.write(
      `sent ${r.txid}, no verdict yet (${r.reason ?? 'unknown'})\n` +
        '  its coins stay reserved: run paylink wallet retry\n',
    )
}

/** A balance. */
export function printBalance(out: Writable, b: Balance): void {
  out.write(`${b.available} satoshis available in ${b.coins} coin${b.coins === 1 ? '' : 's'}\n`)
  if (b.unconfirmed > 0) out.write(`  of which ${b.unconfirmed} not yet mined\n`)
  if (b.reserved > 0) out.write(`  ${b.reserved} reserved by payments awaiting an answer\n`)
}

/** The payment history, newest first. */
export function printHistory(out: Writable, payments: PaymentRecord[]): void {
  if (payments.length === 0) out.write('no payments yet\n')
  for (const p of payments) {
    const when = new Date(p.createdAt).toISOString()
    const proof = p.proof === null ? '' : `  mined at ${p.proof.blockHeight}`
    out.write(
      `${when}  ${p.state.padEnd(7)} ${String(p.satoshis).padStart(10)} sat  ` +
        `${p.merchant}  ${p.memo}${proof}\n`,
    )
    if (p.txid !== null) out.write(`  txid ${p.txid}  fee ${p.fee}\n`)
    if (p.state !== 'acked' && p.reason !== null) out.write(`  reason ${p.reason}\n`)
  }
}

/** Stored proofs. */
export function printProofs(out: Writable, proofs: ProofRecord[]): void {
  if (proofs.length === 0) out.write('no proofs yet\n')
  for (const p of proofs) {
    out.write(`${p.txid}  block ${p.blockHeight} ${p.blockHash}  (from the ${p.source})\n`)
  }
}
