/**
 * Admission: whether a transaction may enter the mempool, decided against a view of the coins
 * (ARC statuses of PROTOCOLS.md §12.1). In order: structure and sizes (463/464); inputs exist
 * and are unspent (462, or 466 when an unconfirmed transaction already spends them); coinbase
 * maturity (462); Σin ≥ Σout (462); the fee rule (465); full script evaluation of every input
 * (461). A refusal changes nothing.
 *
 * A package (a BEEF's unconfirmed ancestors, then its subject) is admitted on a `StagedView`:
 * each admitted member's outputs and spends are visible to the next, and nothing reaches the
 * ledger unless every member is admitted.
 */
import { LockingScript, type Transaction } from '@bsv/sdk'
import { feeSizes, requiredFee } from '../chain/fee-rule.ts'
import { outpointOf, sourceTxid } from '../chain/outpoint.ts'
import { verifyScripts } from '../chain/script-verify.ts'
import { type Coin, outpointKey } from './coin.ts'
import type { Policy } from './params.ts'
import { type Rejection, reject } from './rejection.ts'
import { checkStructure } from './structure.ts'

/** What admission reads of the ledger. */
export interface CoinView {
  coin(txid: string, vout: number): Coin | undefined
  isMature(coin: Coin): boolean
}

/** A transaction that may enter the mempool, with what it spends and pays in fees. */
export interface Admitted {
  kind: 'admitted'
  tx: Transaction
  txid: string
  fee: number
  spent: Coin[]
}

/** Decides on `tx` against `view`. */
export function admit(tx: Transaction, txid: string, view: CoinView, policy: Policy): Admitted | Rejection {
  const structural = checkStructure(tx, txid, policy)
  if (structural !== null) return structural
  const spent: Coin[] = []
  for (const [i, input] of tx.inputs.entries()) {
    const coin = view.coin(sourceTxid(input), input.sourceOutputIndex)
    if (coin === undefined)
      return reject(462, txid, `input ${i} spends ${outpointOf(input)}, missing or spent`)
    if (coin.spentBy !== null)
      return reject(466, txid, `input ${i} is already spent by ${coin.spentBy}`, [coin.spentBy])
    if (!view.isMature(coin)) return reject(462, txid, `input ${i} spends an immature coinbase output`)
    spent.push(coin)
  }
  const totalIn = spent.reduce((n, c) => n + c.satoshis, 0)
  const totalOut = tx.outputs.reduce((n, o) => n + (o.satoshis ?? 0), 0)
  if (totalIn < totalOut) return reject(462, txid, `inputs (${totalIn}) are less than outputs (${totalOut})`)
  const fee = totalIn - totalOut
  const needed = requiredFee(feeSizes(tx), { standard: policy.fee, data: policy.fee })
  if (fee < needed) return reject(465, txid, `fee ${fee} is below the required ${needed} satoshis`)
  const sources = spent.map((c) => ({ satoshis: c.satoshis, lockingScript: LockingScript.fromHex(c.script) }))
  const failed = verifyScripts(tx, sources)
  if (failed !== null) return reject(461, txid, `input ${failed.inputIndex}: ${failed.reason}`)
  return { kind: 'admitted', tx, txid, fee, spent }
}

/** The new coins an admitted transaction creates (unconfirmed). */
export function outputsOf(admitted: Admitted): Coin[] {
  return admitted.tx.outputs.map((o, vout) => ({
    txid: admitted.txid,
    vout,
    satoshis: o.satoshis ?? 0,
    script: o.lockingScript.toHex(),
    coinbase: false,
    height: null,
    spentBy: null,
  }))
}

/** A view of the ledger plus the package members admitted so far; the ledger is not touched. */
export class StagedView implements CoinView {
  readonly #base: CoinView
  readonly #created = new Map<string, Coin>()
  readonly #spentBy = new Map<string, string>()

  constructor(base: CoinView) {
    this.#base = base
  }

  coin(txid: string, vout: number): Coin | undefined {
    const k = outpointKey(txid, vout)
    const coin = this.#created.get(k) ?? this.#base.coin(txid, vout)
    const spender = this.#spentBy.get(k)
    return coin === undefined || spender === undefined ? coin : { ...coin, spentBy: spender }
  }

  isMature(coin: Coin): boolean {
    return this.#base.isMature(coin)
  }

  /** Makes an admitted member's spends and outputs visible to the next. */
  apply(admitted: Admitted): void {
    for (const c of admitted.spent) this.#spentBy.set(outpointKey(c.txid, c.vout), admitted.txid)
    for (const c of outputsOf(admitted)) this.#created.set(outpointKey(c.txid, c.vout), c)
  }
}
