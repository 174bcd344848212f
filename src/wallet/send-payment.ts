/**
 * Sending a Payment and reading the answer (protocols-p4.md §4 POST outcomes, §5/§6 ACKs):
 * - 201 with an ACK `error` 0 → acked;
 * - an ACK with `error` > 0 (422), or any other 4xx (validation, paid by another transaction,
 *   expired, cancelled) → refused with the host's reason: the transaction was not broadcast;
 * - no answer, 5xx, 408, 429, or an answer that cannot be read → undecided: the Payment may
 *   have been taken, so its coins stay reserved and the same bytes are sent again later
 *   (a re-sent identical Payment gets the same ACK, §10 step 4).
 */
import { parseAck, type ReadAck } from '../p4/payment-ack.ts'
import { readRefusal } from './host-failure.ts'
import { type HttpOptions, httpRequest, jsonOf, transportOf } from './http-request.ts'
import type { PaymentMessage } from './payment-message.ts'

/** How a send ended. */
export type SendOutcome =
  | { kind: 'acked'; ack: ReadAck; body: unknown }
  | { kind: 'refused'; reason: string; memo: string; body: unknown }
  | { kind: 'undecided'; detail: string }

const RETRYABLE = new Set([408, 425, 429])

/** POSTs `message` to `paymentUrl` and classifies the answer for the transaction `txid`. */
export async function sendPayment(
  paymentUrl: string,
  message: PaymentMessage,
  txid: string,
  http: HttpOptions,
): Promise<SendOutcome> {
  const answer = await httpRequest(paymentUrl, {
    method: 'POST',
    headers: { 'content-type': message.contentType, accept: 'application/json' },
    body: message.body,
    ...transportOf(http),
  })
  if (answer.kind === 'failed') return { kind: 'undecided', detail: answer.detail }
  const { status } = answer
  const body = jsonOf(answer.text)
  if (status >= 500 || RETRYABLE.has(status) || status < 200 || (status >= 300 && status < 400)) {
    const { reason, message: words } = readRefusal(status, body)
    return { kind: 'undecided', detail: `HTTP ${status} ${reason}: ${words}` }
  }
  const ack = readAck(body)
  if (ack === undefined) {
    if (status < 300) return { kind: 'undecided', detail: `HTTP ${status} with an ACK that cannot be read` }
    const refusal = readRefusal(status, body)
    return { kind: 'refused', reason: refusal.reason, memo: refusal.message, body }
  }
  if (ack.txid !== undefined && ack.txid.toLowerCase() !== txid) {
    return { kind: 'undecided', detail: `the ACK names transaction ${ack.txid}, not ${txid}` }
  }
  if (ack.error === 0 && status < 300) return { kind: 'acked', ack, body }
  return {
    kind: 'refused',
    reason: ack.reason ?? (ack.error > 0 ? 'PL2010' : `HTTP ${status}`),
    memo: ack.memo,
    body,
  }
}

function readAck(body: unknown): ReadAck | undefined {
  try {
    return parseAck(body)
  } catch {
    return undefined
  }
}
