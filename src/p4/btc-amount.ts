/**
 * BIP21 `amount` (protocols-p4.md §2 "Amounts"): decimal BTC, 1 BTC = 100,000,000 satoshis;
 * digits, an optional `.` and at most 8 decimals; no sign, exponent or grouping. Converted by
 * string arithmetic, never through floats.
 */
import { isSatoshis } from '../core/amount.ts'

const DECIMAL_BTC = /^([0-9]+)(?:\.([0-9]{1,8}))?$/

/** Satoshis of a decimal BTC string, or undefined when it is malformed or past 21 million. */
export function btcToSatoshis(amount: string): number | undefined {
  const match = DECIMAL_BTC.exec(amount)
  if (match === null) return undefined
  const whole = BigInt(match[1] as string)
  const fraction = BigInt((match[2] ?? '').padEnd(8, '0'))
  const total = whole * 100_000_000n + fraction
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
  const sats = Number(total)
  return isSatoshis(sats) ? sats : undefined
}

/** The decimal BTC string of `satoshis` (no trailing zeros): the inverse of `btcToSatoshis`. */
export function satoshisToBtc(satoshis: number): string {
  const whole = Math.floor(satoshis / 100_000_000)
  const fraction = String(satoshis % 100_000_000)
    .padStart(8, '0')
    .replace(/0+$/, '')
  return fraction === '' ? String(whole) : `${whole}.${fraction}`
}
