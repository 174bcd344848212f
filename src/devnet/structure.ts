/**
 * Context-free checks of a submitted transaction against relay policy: counts, sizes, dust,
 * duplicate inputs and coinbase-like inputs. They need no ledger state, so they run first.
 */
import type { Transaction } from '@bsv/sdk'
import { isDataScript } from '../chain/fee-rule.ts'
import { outpointOf, sourceTxid } from '../chain/outpoint.ts'
import { MAX_SATOSHIS } from '../core/amount.ts'
import type { Policy } from './params.ts'
import { type Rejection, reject } from './rejection.ts'

const NULL_TXID = '0'.repeat(64)

/** The first policy violation of `tx`, or null. */
export function checkStructure(tx: Transaction, txid: string, policy: Policy): Rejection | null {
  if (tx.inputs.length === 0) return reject(463, txid, 'transaction has no inputs')
  if (tx.outputs.length === 0) return reject(464, txid, 'transaction has no outputs')
  const size = tx.toBinary().length
  if (size > policy.maxTxSize)
    return reject(463, txid, `transaction size ${size} exceeds ${policy.maxTxSize} bytes`)
  const seen = new Set<string>()
  for (const [i, input] of tx.inputs.entries()) {
    const outpoint = outpointOf(input)
    if (sourceTxid(input) === NULL_TXID) return reject(463, txid, `input ${i} is a coinbase input`)
    if (seen.has(outpoint)) return reject(463, txid, `input ${i} spends ${outpoint} twice`)
    seen.add(outpoint)
    const length = input.unlockingScript?.toBinary().length ?? 0
    if (length > policy.maxScriptSize) return reject(461, txid, `input ${i} unlocking script too large`)
  }
  let total = 0
  for (const [i, output] of tx.outputs.entries()) {
    const satoshis = output.satoshis ?? 0
    const script = output.lockingScript.toBinary()
    if (script.length > policy.maxScriptSize) return reject(464, txid, `output ${i} locking script too large`)
    if (satoshis < policy.dustLimit && !isDataScript(script)) {
      return reject(
        464,
        txid,
        `output ${i} of ${satoshis} satoshis is below the dust limit of ${policy.dustLimit}`,
      )
    }
    total += satoshis
  }
  if (total > MAX_SATOSHIS) return reject(464, txid, 'outputs exceed the money supply')
  return null
}
