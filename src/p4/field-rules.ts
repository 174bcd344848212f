/**
 * Field rules shared by the P4 wire schemas (protocols-p4.md conventions, §5, §6), with the
 * messages of go-p4's validator (`theflyingcodr/govalidator`) so that Go clients and our own
 * `errors` maps read alike (§11 Validation).
 */
import { z } from 'zod'
import { isSatoshis, MAX_SATOSHIS } from '../core/amount.ts'
import { isHex } from '../core/bytes.ts'

/** govalidator's message for a string outside `[min, max]` characters. */
export function lengthMessage(min: number, max: number): string {
  return `value must be between ${min} and ${max} characters`
}

/** A string of at most `max` characters (UTF-16 code units, as JavaScript counts). */
export function text(max: number, min = 0): z.ZodString {
  const message = lengthMessage(min, max)
  return z.string().min(min, message).max(max, message)
}

/** Hex of either case (we emit lowercase); `minBytes`/`maxBytes` bound the decoded length. */
export function hex(minBytes = 0, maxBytes = Number.MAX_SAFE_INTEGER): z.ZodType<string> {
  return z
    .string()
    .refine(isHex, 'value supplied is not valid hex')
    .refine((v) => v.length >= minBytes * 2, minBytes === 1 ? 'value cannot be empty' : 'value is too short')
    .refine((v) => v.length <= maxBytes * 2, `value must be at most ${maxBytes} bytes`)
}

/** An amount of satoshis of at least `min` (safe integer, ≤ 21 million BSV). */
export function satoshisField(min = 0): z.ZodType<number> {
  return z
    .number()
    .refine(
      (n) => isSatoshis(n) && n >= min,
      `value must be an integer number of satoshis between ${min} and ${MAX_SATOSHIS}`,
    )
}

/** An RFC3339 time; any fraction and offset accepted, UTC `Z` emitted (conventions). */
export const rfc3339Field = z.iso.datetime({ offset: true, error: 'value must be an RFC3339 date-time' })

/** Go's zero `time.Time`, which go-p4 emits for "no time" (§5 `expirationTimestamp`). */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z'

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The UTF-8 length of `value` serialised as JSON. */
export function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length
}

/**
 * Wraps an object schema so that keys starting with `req-` are refused (BIP21/BIP270 rule, §2,
 * §6: a `req-` key we do not implement makes the message invalid; we implement none).
 */
export function rejectingReqKeys<T extends z.ZodType>(schema: T): z.ZodPreprocess<T> {
  return z.preprocess((value, ctx) => {
    if (!isRecord(value)) return value
    for (const key of Object.keys(value)) {
      if (key.startsWith('req-')) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'unsupported required key', input: value })
      }
    }
    return value
  }, schema)
}
