/**
 * Schema failures as the P4 validation body (protocols-p4.md §11 Validation): a map from dotted
 * field paths to messages, worded like go-p4's validator, carried by a `PL1004` PaylinkError.
 */
import type { z } from 'zod'
import type { ErrorCode } from '../core/error-codes.ts'
import { PaylinkError } from '../core/errors.ts'

/** `{"<dotted.path>": ["message", …]}`, the `errors` of a validation body. */
export type FieldErrors = Record<string, string[]>

/**
 * Per-parse error map: go-p4 wording for issues whose schema sets no message of its own
 * (a missing key reads "value cannot be empty").
 */
export const goMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined
  return issue.input === undefined ? 'value cannot be empty' : `value must be of type ${issue.expected}`
}

/** The dotted path of an issue; the body itself is `body`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'body' : path.map(String).join('.')
}

/** Groups a zod error's issues by dotted path, in the order they were found. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {}
  for (const issue of error.issues) {
    const key = fieldPath(issue.path)
    const messages = out[key] ?? []
    if (!messages.includes(issue.message)) messages.push(issue.message)
    out[key] = messages
  }
  return out
}

/** A PaylinkError (default `PL1004`) carrying the `errors` map in `details`. */
export function schemaFailure(error: z.ZodError, what: string, reason: ErrorCode = 'PL1004'): PaylinkError {
  return new PaylinkError(reason, `${what} failed validation`, {
    cause: error,
    details: { errors: fieldErrors(error) },
  })
}

/** Parses `value` with go-p4 messages; failure throws `schemaFailure`. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
  reason: ErrorCode = 'PL1004',
): z.output<T> {
  const parsed = schema.safeParse(value, { error: goMessages })
  if (!parsed.success) throw schemaFailure(parsed.error, what, reason)
  return parsed.data
}
