/** How `paylink node` prints its state, balances, offers and payment log: one fact a line. */
import type { Writable } from 'node:stream'
import type { PaymentProof, ProofVerdict } from '../amiko/admin/payment-proof.ts'
import type { Balance, NodeSummary, PaymentLogLine, PayOffer, PayOutcome } from '../amiko/node/types.ts'

function rows(out: Writable, lines: [string, string][], indent = '  '): void {
  const width = Math.max(...lines.map(([name]) => name.length))
  for (const [name, value] of lines) out.write(`${indent}${name.padEnd(width)}  ${value}\n`)
}

/** The terms the payer is asked to agree to. */
export function printOffer(out: Writable, o: PayOffer): void {
  rows(out, [
    ['amount', `${o.amount} satoshis`],
    ['receipt', o.receipt],
    [
      'payee',
      o.signed && o.payeeKey !== null ? `${o.payeeKey} (signed the receipt)` : '(receipt not signed)',
    ],
    ['transaction ID', o.transactionId],
  ])
}

/** How a payment ended. */
export function printOutcome(out: Writable, o: PayOutcome): void {
  if (o.state === 'committed') out.write(`committed${o.token === null ? '' : `\n  token  ${o.token}`}\n`)
  else out.write(`cancelled (${o.reason ?? 'no reason given'})\n`)
}

/** Balances per link and their total. */
export function printBalance(out: Writable, b: Balance): void {
  const links = Object.entries(b.links)
  if (links.length === 0) out.write('no links\n')
  for (const [name, { local, remote }] of links) out.write(`${name}  local ${local}  remote ${remote}\n`)
  out.write(`total ${b.total} satoshis\n`)
}

/** The payment log, oldest first. */
export function printPayments(out: Writable, lines: PaymentLogLine[]): void {
  if (lines.length === 0) out.write('no payments yet\n')
  for (const l of lines) {
    const when = new Date(l.finishedAt * 1000).toISOString()
    const why = l.state === 'cancelled' ? ` (${l.reason ?? 'no reason given'})` : ''
    out.write(`${when}  ${String(l.amount).padStart(10)}  ${l.state}${why}  ${JSON.stringify(l.receipt)}\n`)
    out.write(`  transaction ${l.transactionId}${l.token === null ? '' : `  token ${l.token}`}\n`)
  }
}

/** The whole state of a node, summarised. */
export function printSummary(out: Writable, s: NodeSummary): void {
  out.write(`node ${s.name}\n`)
  rows(out, [
    ['node key', s.nodeKey],
    ['listening', s.listen === null ? 'no' : `${s.listen.host}:${s.listen.port}`],
    ['meeting points', s.meetingPoints.length === 0 ? 'none' : s.meetingPoints.join(', ')],
    ['live records', `${s.liveRecords} (${s.timers} timers armed)`],
  ])
  for (const l of s.links) {
    const state = `${l.connected ? 'connected' : 'not connected'}, ${l.outbox} unacknowledged`
    out.write(`link ${l.name}  ${state}\n  ${l.url}\n`)
    for (const c of l.channels) {
      const flags = `${c.coSigned ? ', co-signed' : ''}${c.diverged ? ', DIVERGED' : ''}`
      out.write(
        `  channel ${c.index}  ${c.status}  local ${c.local}  remote ${c.remote}  ` +
          `reserved ${c.reserved}  locked ${c.locked}${flags}\n`,
      )
    }
  }
  for (const p of s.payers) out.write(`payer ${p.id}  ${p.status}  ${p.amount ?? '?'}  ${p.receipt ?? ''}\n`)
  for (const p of s.payees) out.write(`payee ${p.id}  ${p.status}  ${p.amount}  ${p.receipt}\n  ${p.url}\n`)
}

/** The verdict on a proof of payment. */
export function printVerdict(out: Writable, proof: PaymentProof | undefined, v: ProofVerdict): void {
  out.write(v.valid ? 'valid\n' : 'invalid\n')
  for (const reason of v.reasons) out.write(`  ${reason}\n`)
  if (!v.valid || proof === undefined) return
  rows(out, [
    ['amount', `${Math.abs(proof.amount)} satoshis`],
    ['receipt', proof.receipt],
    ['payee', proof.payeeKey ?? ''],
    ['transaction ID', proof.transactionId],
  ])
}
