/**
 * Satoshi amounts: integers, never floats, checked at every boundary
 * (DESIGN.md invariants; PROTOCOLS.md: 0 ≤ n ≤ 2,100,000,000,000,000).
 */
import { PaylinkError } from './errors.ts'

/** 21 million BSV in satoshis: the ceiling of every amount. */
export const MAX_SATOSHIS = 2_100_000_000_000_000

/** Whether `n` is a valid amount: a safe integer in [0, MAX_SATOSHIS]. */
export function isSatoshis(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_SATOSHIS
}

/** Returns `n` or throws `PL1004` naming `field`. */
export function satoshis(n: unknown, field = 'satoshis'): number {
  if (!isSatoshis(n)) {
    throw new PaylinkError(
      'PL1004',
      `${field} must be an integer number of satoshis between 0 and ${MAX_SATOSHIS}`,
    )
  }
  return n
}

/** Sums amounts, refusing a total past the ceiling (so sums never lose precision). */
export function sumSatoshis(values: Iterable<number>): number {
  let total = 0
  for (const v of values) total = satoshis(total + satoshis(v), 'total')
  return total
}
