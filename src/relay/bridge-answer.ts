/**
 * The HTTP answer to a bridged merchant reply (PROTOCOLS.md P4 §14.6 table): a PaymentRequest →
 * 200 with `paymentUrl` pointing at the relay; an ACK → 201 / 422; `*.error` → the status of its
 * reason, else of its legacy code, `errors` → 400, unknown → 400, never 500 (defect D2); a reply
 * failing its schema → 502 `PL5010`.
 */
import { z } from 'zod'
import { PaylinkError } from '../core/errors.ts'
import {
  clientErrorSchema,
  statusOfLegacyCode,
  statusOfReason,
  validationErrorSchema,
} from '../p4/client-error.ts'
import type { Envelope } from '../p4/relay-envelope.ts'

/** Status and body for the customer. */
export interface BridgeAnswer {
  status: number
  body: unknown
}

const requestBody = z.record(z.string(), z.unknown())
const ackBody = z.looseObject({ error: z.number().int().nonnegative() })

/** Maps the merchant's `reply` to a `paymentrequest.create` (`kind` request) or a `payment`. */
export function bridgeAnswer(kind: 'request' | 'payment', reply: Envelope, paymentUrl: string): BridgeAnswer {
  if (reply.type === `${kind === 'request' ? 'paymentrequest' : 'payment'}.error`)
    return errorAnswer(reply.body)
  if (kind === 'request' && reply.type === 'paymentrequest.response') {
    const body = requestBody.safeParse(reply.body)
    if (body.success) return { status: 200, body: { ...body.data, paymentUrl } }
  }
  if (kind === 'payment' && reply.type === 'payment.ack') {
    const body = ackBody.safeParse(reply.body)
    if (body.success) return { status: body.data.error === 0 ? 201 : 422, body: body.data }
  }
  throw new PaylinkError('PL5010', `the merchant answered with an unusable ${reply.type}`)
}

function errorAnswer(body: unknown): BridgeAnswer {
  if (validationErrorSchema.safeParse(body).success) return { status: 400, body }
  const error = clientErrorSchema.safeParse(body)
  if (!error.success) throw new PaylinkError('PL5010', 'the merchant sent an error of an unknown shape')
  const { reason, code } = error.data
  const status =
    (reason === undefined ? undefined : statusOfReason(reason)) ?? statusOfLegacyCode(code) ?? 400
  return { status: status >= 500 && status !== 503 ? 502 : status, body }
}
