/**
 * The Amiko error codes (protocols-amiko.md §2, §4, §8, §9): line-level codes sent as
 * `{"error": code}` before a close, and node-level outcome codes recorded on a cancelled payment or
 * a refused message. `docs/errors.md` lists the same table; `src/core/error-codes.test.ts` pins it.
 * `AMIKO_BAD_URL`, `AMIKO_CANCELLED_BY_*`, `AMIKO_ROUTE_CANCELLED` and `AMIKO_TIMEOUT` are paylink's own.
 */

/** Every `AMIKO_*` code with a one-line meaning. */
export const AMIKO_ERROR_CODES = {
  AMIKO_AUTH_FAILED: 'ConnectLink refused: unknown link, node key not the pinned one, or bad signature',
  AMIKO_BAD_FIELD: 'message field missing, of the wrong type or out of range',
  AMIKO_BAD_JSON: 'line is not JSON or not one of the five line shapes',
  AMIKO_BAD_STATE: 'event not allowed in the current state; nothing changed',
  AMIKO_BAD_TOKEN: 'commit token does not hash to the transaction ID',
  AMIKO_BAD_URL: 'malformed amikopay:// or amikolink:// URL',
  AMIKO_CANCELLED_BY_PAYEE: 'the payee cancelled the payment (paylink outcome reason)',
  AMIKO_CANCELLED_BY_PAYER: 'the payer refused or cancelled the payment (paylink outcome reason)',
  AMIKO_CHANNEL_DIVERGED: 'signed channel states disagree at equal counts; channel paused for new routes',
  AMIKO_DUPLICATE_CONNECTION: 'second connection for the same link closed (smaller or equal dice)',
  AMIKO_EXPIRY_UNREASONABLE: 'lock expiry in the past, beyond maxExpiry, or breaking the per-hop rule',
  AMIKO_INDEX_GAP: 'message index is neither the next one nor a duplicate',
  AMIKO_INSUFFICIENT_CAPACITY: 'channel cannot carry the amount',
  AMIKO_LINE_TOO_LONG: 'line longer than 65 536 bytes',
  AMIKO_LOCK_EXPIRED: 'lock expired before the token came; hop refunded',
  AMIKO_LOCK_TIMEOUT: 'route built but no Lock within lockTimeout',
  AMIKO_MEETING_POINT_REJECTED: 'no acceptable meeting point, or meeting-point signature missing or wrong',
  AMIKO_NOT_BOUND: 'message before the connect message, or a second connect message',
  AMIKO_NO_ROUTE: 'no route to the meeting point',
  AMIKO_OUTBOX_FULL: 'outbox would exceed 32 768 unacknowledged messages',
  AMIKO_RECEIPT_SIGNATURE_INVALID: 'Receipt signature does not verify',
  AMIKO_RECEIPT_TIMEOUT: 'no Receipt within receiptTimeout',
  AMIKO_REQUEST_EXPIRED: 'payment request not confirmed within requestExpiry',
  AMIKO_ROUTE_CANCELLED: 'route torn down by CancelRoute from its origin (paylink outcome reason)',
  AMIKO_ROUTE_TIMEOUT: 'route attempt silent for routeTimeout',
  AMIKO_TIMEOUT: 'a local API call saw no outcome within its time limit (paylink API)',
  AMIKO_TOO_LATE: 'token shown after the hop was rolled back',
  AMIKO_UNKNOWN_CLASS: 'message _class unknown',
  AMIKO_UNKNOWN_ID: 'Pay for an unknown payment or a closed pay link',
  AMIKO_UNKNOWN_LOCK: 'Lock for a route with no record; accepted, then refunded',
} as const

/** An Amiko error code. */
export type AmikoErrorCode = keyof typeof AMIKO_ERROR_CODES

/** Whether `code` is one of the Amiko codes (for `{"error": code}` lines from a peer). */
export function isAmikoErrorCode(code: string): code is AmikoErrorCode {
  return Object.hasOwn(AMIKO_ERROR_CODES, code)
}

/** An error with a stable Amiko `code`; thrown only for local misuse (a bad URL), never for peers. */
export class AmikoError extends Error {
  override readonly name = 'AmikoError'
  readonly code: AmikoErrorCode

  constructor(code: AmikoErrorCode, message?: string, options: { cause?: unknown } = {}) {
    super(message ?? AMIKO_ERROR_CODES[code], { cause: options.cause })
    this.code = code
  }
}
