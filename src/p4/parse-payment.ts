/**
 * Content negotiation of `POST /api/v1/payment/{paymentId}` (protocols-p4.md §4):
 * `application/bitcoinsv-payment` → strict BIP270; `application/json` → P4, or BIP270 when the
 * body is one (has `transaction`, no `rawTx`: BIP271 clients); anything else → 415 `PL1002`.
 */
import type { z } from 'zod'
import type { ErrorCode } from '../core/error-codes.ts'
import { PaylinkError } from '../core/errors.ts'
import { goMessages, schemaFailure } from './field-errors.ts'
import { isRecord } from './field-rules.ts'
import type { TransportOptions } from './loopback.ts'
import {
  fromBip270Payment,
  fromP4Payment,
  makeBip270PaymentSchema,
  makeP4PaymentSchema,
  type NormalizedPayment,
} from './payment.ts'

/** A parsed Payment and the dialect its ACK must use. */
export interface ParsedPayment {
  dialect: 'p4' | 'bip270'
  payment: NormalizedPayment
}

const schemas = {
  secure: { p4: makeP4PaymentSchema(), bip270: makeBip270PaymentSchema() },
  insecure: {
    p4: makeP4PaymentSchema({ allowInsecure: true }),
    bip270: makeBip270PaymentSchema({ allowInsecure: true }),
  },
}

/** The media type of a `Content-Type` header: parameters dropped, lowercased. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

/** `PL3002` when the failure is the refused `spvEnvelope`, else `PL1004`. */
function reasonOf(error: z.ZodError): ErrorCode {
  return error.issues.some((i) => i.path[0] === 'spvEnvelope') ? 'PL3002' : 'PL1004'
}

/**
 * Parses a Payment body (already JSON-decoded) by its `Content-Type`. Throws `PL1002` for an
 * unsupported media type, `PL3002` for an `spvEnvelope`, else `PL1004` with `details.errors`.
 */
export function parsePayment(
  body: unknown,
  contentType: string,
  options: TransportOptions = {},
): ParsedPayment {
  const type = mediaType(contentType)
  const { p4, bip270 } = options.allowInsecure === true ? schemas.insecure : schemas.secure
  const asBip270 = (): ParsedPayment => {
    const parsed = bip270.safeParse(body, { error: goMessages })
    if (!parsed.success) throw schemaFailure(parsed.error, 'BIP270 Payment')
    return { dialect: 'bip270', payment: fromBip270Payment(parsed.data) }
  }
  if (type === 'application/bitcoinsv-payment') return asBip270()
  if (type !== 'application/json')
    throw new PaylinkError('PL1002', `unsupported Content-Type "${contentType}"`)
  const parsed = p4.safeParse(body, { error: goMessages })
  if (parsed.success) return { dialect: 'p4', payment: fromP4Payment(parsed.data) }
  // A BIP271 client posting BIP270 as application/json: report its errors in its dialect.
  if (isRecord(body) && body['transaction'] !== undefined && body['rawTx'] === undefined) return asBip270()
  throw schemaFailure(parsed.error, 'P4 Payment', reasonOf(parsed.error))
}
