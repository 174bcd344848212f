/**
 * Error bodies (protocols-p4.md §11): the ClientError `{id, code, title, message, reason}` and
 * the validation body `{errors, reason}`; builders for the servers, schemas for the wallet and
 * the relay. `code` carries the legacy code Go clients map by (payd, p4-server) where one exists.
 */
import { z } from 'zod'
import { ERROR_CODES, type ErrorCode } from '../core/error-codes.ts'
import { uuid } from '../core/ids.ts'
import type { FieldErrors } from './field-errors.ts'

/** Legacy codes of payd and p4-server (§11), with their HTTP status; `U002`, `U003` are only read. */
export const LEGACY_CODES = {
  N00001: 404,
  D001: 409,
  E001: 422,
  U102: 422,
  U002: 422,
  U003: 422,
  '404': 404,
} as const

/** A legacy code we emit. */
export type LegacyCode = Exclude<keyof typeof LEGACY_CODES, 'U002' | 'U003'>

/** The legacy code the catalogue pairs with a reason (§11: `N00001`, `D001`, `E001`, `U102`), if any. */
export function legacyCodeOf(reason: ErrorCode): string | undefined {
  const entry = ERROR_CODES[reason]
  return 'legacy' in entry && typeof entry.legacy === 'string' ? entry.legacy : undefined
}

/** The ClientError body. */
export interface ClientErrorBody {
  /** UUID v4 of this occurrence. */
  id: string
  /** The legacy code where one exists, else the reason. */
  code: string
  title: string
  message: string
  reason: ErrorCode
}

/**
 * The ClientError for `reason`. `legacyCode` defaults to the catalogue's legacy code of the
 * reason (`legacyCodeOf`), else `code` is the reason; the title comes from the catalogue.
 */
export function clientErrorBody(
  reason: ErrorCode,
  message: string = ERROR_CODES[reason].title,
  options: { legacyCode?: LegacyCode } = {},
): ClientErrorBody {
  const code = options.legacyCode ?? legacyCodeOf(reason) ?? reason
  return { id: uuid(), code, title: ERROR_CODES[reason].title, message, reason }
}

/** The validation body (400). */
export interface ValidationErrorBody {
  errors: FieldErrors
  reason: ErrorCode
}

/** The validation body for `errors` (default reason `PL1004`). */
export function validationErrorBody(errors: FieldErrors, reason: ErrorCode = 'PL1004'): ValidationErrorBody {
  return { errors, reason }
}

const fieldErrorsSchema = z.record(z.string(), z.array(z.string()))

/**
 * A ClientError as read from any P4 server: payd and p4-server send no `reason`; over the
 * websocket a validation failure adds `errors` (§11).
 */
export const clientErrorSchema = z.object({
  id: z.string().optional(),
  code: z.string(),
  title: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  errors: fieldErrorsSchema.optional(),
})

/** A ClientError as read. */
export type ClientError = z.infer<typeof clientErrorSchema>

/** A validation body as read. */
export const validationErrorSchema = z.object({ errors: fieldErrorsSchema, reason: z.string().optional() })

/** A validation body as read. */
export type ValidationError = z.infer<typeof validationErrorSchema>

/** Whether `reason` is a code of our catalogue. */
export function isErrorCode(reason: string): reason is ErrorCode {
  return Object.hasOwn(ERROR_CODES, reason)
}

/** The HTTP status of a reason (the catalogue's), or undefined for a reason we do not know. */
export function statusOfReason(reason: string): number | undefined {
  return isErrorCode(reason) ? ERROR_CODES[reason].status : undefined
}

/** The HTTP status of a legacy code, or undefined for an unknown one. */
export function statusOfLegacyCode(code: string): number | undefined {
  return Object.hasOwn(LEGACY_CODES, code) ? LEGACY_CODES[code as keyof typeof LEGACY_CODES] : undefined
}
