/**
 * PaymentACK (protocols-p4.md §5 ACK, §6 ACK): the builders the merchant answers with, and the
 * wallet's reader of every ACK shape it may meet: P4 (`id`, `tx_id`, `peer_channel`), strict
 * BIP270 (`payment`, `memo`, `error`) and go-p4's November-2021 `{payment, memo, error}`.
 */
import { z } from 'zod'
import type { ErrorCode } from '../core/error-codes.ts'
import { parseWith } from './field-errors.ts'
import { isRecord } from './field-rules.ts'

/** The P4 ACK; mind the snake_case `tx_id` and `peer_channel` (always null here: §13 proofs). */
export interface P4PaymentAck {
  id: string
  tx_id: string
  memo: string
  peer_channel: null
  error: number
  reason?: ErrorCode
}

/** The strict BIP270 ACK: the Payment as received, re-serialised. */
export interface Bip270PaymentAck {
  payment: unknown
  memo: string
  error: number
  reason?: ErrorCode
}

/** The verdict an ACK carries: `error` 0 = success, 1 = failure, `reason` only on failure. */
export interface AckVerdict {
  memo: string
  error: number
  reason?: ErrorCode
}

/** `reason` belongs only to a failure (`error` > 0). */
function withReason<T extends object>(ack: T, error: number, reason: ErrorCode | undefined): T {
  return error > 0 && reason !== undefined ? { ...ack, reason } : ack
}

/** The P4 ACK for `paymentId`'s transaction `txid`. */
export function p4Ack(ack: AckVerdict & { paymentId: string; txid: string }): P4PaymentAck {
  const base = { id: ack.paymentId, tx_id: ack.txid, memo: ack.memo, peer_channel: null, error: ack.error }
  return withReason<P4PaymentAck>(base, ack.error, ack.reason)
}

/** The BIP270 ACK echoing `payment`. */
export function bip270Ack(ack: AckVerdict & { payment: unknown }): Bip270PaymentAck {
  return withReason<Bip270PaymentAck>(
    { payment: ack.payment, memo: ack.memo, error: ack.error },
    ack.error,
    ack.reason,
  )
}

// Reading others' ACKs: `memo` and `error` may be missing (ElectrumSV and go omitempty
// encoders drop empty ones), so they default to '' and 0; the HTTP status confirms the verdict.
const verdict = {
  memo: z
    .string()
    .nullish()
    .transform((m) => m ?? ''),
  error: z
    .number()
    .refine((n) => Number.isSafeInteger(n) && n >= 0, 'value must be a non-negative integer')
    .optional()
    .transform((n) => n ?? 0),
  reason: z.string().optional(),
}

/** A P4 ACK as read by the wallet. */
export const p4AckSchema = z.object({ id: z.string().optional(), tx_id: z.string(), ...verdict })

/** A BIP270 or November-2021 ACK as read by the wallet. */
export const paymentEchoAckSchema = z.object({ payment: z.record(z.string(), z.unknown()), ...verdict })

/** What any ACK tells the wallet. */
export interface ReadAck {
  error: number
  memo: string
  txid?: string
  reason?: string
}

/**
 * Reads an ACK of any shape: with `tx_id` it is P4, else it must echo `payment`. Throws `PL1004`
 * with the `errors` map for anything else.
 */
export function parseAck(body: unknown): ReadAck {
  const { memo, error, reason, ...rest } =
    isRecord(body) && body['tx_id'] !== undefined
      ? parseWith(p4AckSchema, body, 'P4 PaymentACK')
      : { ...parseWith(paymentEchoAckSchema, body, 'PaymentACK'), tx_id: undefined }
  const out: ReadAck = { error, memo }
  if (rest.tx_id !== undefined) out.txid = rest.tx_id
  if (reason !== undefined) out.reason = reason
  return out
}
