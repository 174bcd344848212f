/**
 * The base error class. Every error paylink raises on purpose carries a stable `code` from the
 * catalogue (`error-codes.ts`), the HTTP `status` it maps to, and an optional `cause`.
 * Callers branch on `code`, never on the message.
 */
import { ERROR_CODES, type ErrorCode } from './error-codes.ts'

export class PaylinkError extends Error {
  override readonly name = 'PaylinkError'
  readonly code: ErrorCode
  readonly status: number
  /** Extra fields for the response body (for example a validation `errors` map). */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(
    code: ErrorCode,
    message?: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message ?? ERROR_CODES[code].title, { cause: options.cause })
    this.code = code
    this.status = ERROR_CODES[code].status
    this.details = options.details
  }

  /** The catalogue title of this code. */
  get title(): string {
    return ERROR_CODES[this.code].title
  }
}

/** Whether `err` is a PaylinkError, optionally of one code. */
export function isPaylinkError(err: unknown, code?: ErrorCode): err is PaylinkError {
  return err instanceof PaylinkError && (code === undefined || err.code === code)
}
