/**
 * Reading a payment host's refusal (protocols-p4.md §11): a ClientError `{code, message,
 * reason}` or a validation body `{errors, reason}`. The reason is ours when the host sent one of
 * our codes; a payd-style legacy `code` is mapped to the reason it stands for; otherwise the
 * status speaks.
 */
import type { ErrorCode } from '../core/error-codes.ts'
import { PaylinkError } from '../core/errors.ts'
import { clientErrorSchema, isErrorCode, validationErrorSchema } from '../p4/client-error.ts'

/** Why a host refused: its reason code (ours or its own) and its words. */
export interface Refusal {
  reason: string
  message: string
}

const LEGACY_REASONS: Record<string, ErrorCode> = {
  N00001: 'PL1010',
  D001: 'PL2007',
  E001: 'PL2005',
  U102: 'PL2009',
}

/** The refusal a non-2xx answer carries. */
export function readRefusal(status: number, body: unknown): Refusal {
  const client = clientErrorSchema.safeParse(body)
  if (client.success) {
    const { reason, code, message, title } = client.data
    return { reason: reason ?? LEGACY_REASONS[code] ?? code, message: message ?? title ?? `HTTP ${status}` }
  }
  const validation = validationErrorSchema.safeParse(body)
  if (validation.success) {
    const fields = Object.entries(validation.data.errors).map(([k, v]) => `${k}: ${v.join(', ')}`)
    return { reason: validation.data.reason ?? 'PL1004', message: fields.join('; ') }
  }
  return { reason: `HTTP ${status}`, message: `the payment host answered ${status}` }
}

/** A non-2xx answer about `what` as a PaylinkError: the host's reason when it is ours, else `PL8005`. */
export function hostFailure(status: number, body: unknown, what: string): PaylinkError {
  const { reason, message } = readRefusal(status, body)
  if (isErrorCode(reason)) return new PaylinkError(reason, `${what}: ${message} (HTTP ${status})`)
  return new PaylinkError('PL8005', `${what}: ${message} (HTTP ${status}, ${reason})`)
}
