/**
 * Outbox index arithmetic (protocols-amiko.md §2.4): 16-bit indices compared as RFC 1982 serial
 * numbers within a window of 32 768, which the outbox capacity keeps unambiguous.
 */

/** Number of distinct indices (indices wrap at 16 bits). */
export const INDEX_MODULUS = 0x10000

/** Outbox capacity, and the window in which an index counts as "at or before" another. */
export const OUTBOX_CAPACITY = 32_768

/** The receiver's `lastReceived` before any message: the first index, 0, is then `next`. */
export const INITIAL_LAST_RECEIVED = 0xffff

/** The index after `i`. */
export function nextIndex(i: number): number {
  return (i + 1) & 0xffff
}

/** How far `index` lies at or before `reference` (0 = equal), modulo 2^16. */
function distanceBefore(index: number, reference: number): number {
  return (reference - index) & 0xffff
}

/** What the receiver does with index `n` given its `lastReceived` (§2.4 receiver bookkeeping). */
export function classifyIndex(n: number, lastReceived: number): 'next' | 'duplicate' | 'gap' {
  if (n === nextIndex(lastReceived)) return 'next'
  return distanceBefore(n, lastReceived) < OUTBOX_CAPACITY ? 'duplicate' : 'gap'
}

/** Whether the cumulative ack `{"received": received}` covers the outbox entry `index`. */
export function isAckedBy(index: number, received: number): boolean {
  return distanceBefore(index, received) < OUTBOX_CAPACITY
}

/** Whether `n` is a valid wire index (integer 0–65535). */
export function isIndex(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff
}
