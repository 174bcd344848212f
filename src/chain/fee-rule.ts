/**
 * The fee rule (PROTOCOLS.md §8, after go-bt `IsFeePaidEnough` / `SizeWithTypes`): on the plain
 * serialised transaction, data bytes are the locking scripts of outputs starting `6a`
 * (OP_RETURN) or `006a` (OP_FALSE OP_RETURN), the rest is standard; each part pays its own rate
 * with integer division per term.
 */
import type { Transaction } from '@bsv/sdk'
import type { FeeRates } from '../p4/fees.ts'

/** Whether a locking script is a data output (OP_RETURN or OP_FALSE OP_RETURN). */
export function isDataScript(script: Uint8Array | readonly number[]): boolean {
  return script[0] === 0x6a || (script[0] === 0x00 && script[1] === 0x6a)
}

/** Sizes of a transaction by fee type. */
export function feeSizes(tx: Transaction): { size: number; dataBytes: number } {
  const size = tx.toBinary().length
  let dataBytes = 0
  for (const output of tx.outputs) {
    const script = output.lockingScript.toBinary()
    if (isDataScript(script)) dataBytes += script.length
  }
  return { size, dataBytes }
}

/** The fee the rule requires of a transaction of these sizes. */
export function requiredFee(sizes: { size: number; dataBytes: number }, rates: FeeRates): number {
  const standardBytes = sizes.size - sizes.dataBytes
  return (
    Math.floor((standardBytes * rates.standard.satoshis) / rates.standard.bytes) +
    Math.floor((sizes.dataBytes * rates.data.satoshis) / rates.data.bytes)
  )
}
