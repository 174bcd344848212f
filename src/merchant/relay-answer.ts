/**
 * The merchant's answers on a relay channel (PROTOCOLS.md P4 §14.4, §11 "Over websocket"):
 * `paymentrequest.create` → `paymentrequest.response` (the P4 request, strict BIP270 when the
 * message's `Accept` asks for it; `expiration` set) or `paymentrequest.error`; `payment` → the
 * same `Payments.receive` as REST → `payment.ack` (an ACK with `error` > 0 included) or
 * `payment.error` (ClientError, plus `errors` for a validation failure). Replies copy the
 * request's `correlationId`.
 */
import { rfc3339 } from '../core/clock.ts'
import { isPaylinkError, PaylinkError } from '../core/errors.ts'
import { parsePayment } from '../p4/parse-payment.ts'
import { toBip270PaymentRequest, toP4PaymentRequest } from '../p4/payment-request.ts'
import type { Envelope } from '../p4/relay-envelope.ts'
import { errorBody } from '../server/error-answers.ts'
import type { PaymentRequests } from './payment-requests.ts'
import type { Payments } from './payments.ts'

/** What the answerer needs. */
export interface RelayAnswerContext {
  requests: PaymentRequests
  payments: Payments
  allowInsecure: boolean
}

/** A reply's type, body and `expiration`, without the envelope fields the client adds. */
export interface RelayReply {
  type: string
  body: unknown
  expiration?: string
}

function header(message: Envelope, key: string): string | undefined {
  const values = message.headers[key]
  return values === undefined || values.length === 0 ? undefined : values.join(', ')
}

function refusal(type: string, err: unknown): RelayReply {
  const known = isPaylinkError(err) ? err : new PaylinkError('PL9001', 'internal error', { cause: err })
  return { type, body: errorBody(known) }
}

async function paymentRequest(ctx: RelayAnswerContext, invoiceId: string, message: Envelope) {
  try {
    const terms = await ctx.requests.terms(invoiceId)
    const accept = (header(message, 'Accept') ?? '').toLowerCase()
    const body = accept.includes('application/bitcoinsv-paymentrequest')
      ? toBip270PaymentRequest(terms)
      : toP4PaymentRequest(terms)
    return { type: 'paymentrequest.response', body, expiration: rfc3339(terms.expirationTimestamp) }
  } catch (err) {
    return refusal('paymentrequest.error', err)
  }
}

/** A bridged body may arrive as the JSON text received; a channel body is JSON already. */
function jsonBody(body: unknown): unknown {
  if (typeof body !== 'string') return body
  try {
    return JSON.parse(body)
  } catch {
    throw new PaylinkError('PL1001', 'body is not JSON')
  }
}

async function payment(ctx: RelayAnswerContext, invoiceId: string, message: Envelope) {
  try {
    const contentType = header(message, 'Content-Type') ?? 'application/json'
    const parsed = parsePayment(jsonBody(message.body), contentType, { allowInsecure: ctx.allowInsecure })
    const answer = await ctx.payments.receive(invoiceId, parsed)
    return { type: 'payment.ack', body: JSON.parse(answer.body) as unknown }
  } catch (err) {
    return refusal('payment.error', err)
  }
}

/** The reply to a customer's (or bridge's) message on invoice `invoiceId`'s channel, if any. */
export async function answerRelayMessage(
  ctx: RelayAnswerContext,
  invoiceId: string,
  message: Envelope,
): Promise<RelayReply | undefined> {
  if (message.type === 'paymentrequest.create') return paymentRequest(ctx, invoiceId, message)
  if (message.type === 'payment') return payment(ctx, invoiceId, message)
  return undefined
}
