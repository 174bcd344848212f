/**
 * Coin selection, largest first: the fewest inputs that pay the outputs and the fee the
 * request's rule asks (protocols-p4.md §8: the wallet pays ⌈s × 1000 / b⌉ sat/kB of the larger
 * rate with `@bsv/sdk` `SatoshisPerKilobyte`). The fee is the SDK's estimate for a transaction of
 * the final shape (P2PKH inputs at their largest unlocking size), so the signed transaction never
 * pays less than the rule. Change below `minChange` is left to the miner rather than made dust.
 */
import { P2PKH, PrivateKey, SatoshisPerKilobyte, Script, Transaction } from '@bsv/sdk'

/** A coin as selection sees it. */
export interface SpendableCoin {
  txid: string
  vout: number
  satoshis: number
}

/** An output the payment must make. */
export interface PlannedOutput {
  script: string
  amount: number
}

/** The chosen coins, the fee and the change (0 = no change output). */
export interface SpendPlan<C extends SpendableCoin> {
  coins: C[]
  total: number
  fee: number
  change: number
}

// Shapes only: the estimate needs the sizes of a P2PKH unlocking and change script, not real keys.
const SIZING_KEY = new PrivateKey(1)
const CHANGE_SHAPE = new P2PKH().lock(new Array<number>(20).fill(0))
const ZERO_TXID = '00'.repeat(32)

/** The SDK's fee for `inputs` P2PKH inputs paying `outputs`, plus a change output when asked. */
export async function estimateFee(
  inputs: number,
  outputs: readonly PlannedOutput[],
  withChange: boolean,
  satoshisPerKb: number,
): Promise<number> {
  const tx = new Transaction()
  for (let i = 0; i < inputs; i++) {
    tx.addInput({
      sourceTXID: ZERO_TXID,
      sourceOutputIndex: i,
      unlockingScriptTemplate: new P2PKH().unlock(SIZING_KEY),
    })
  }
  for (const o of outputs) tx.addOutput({ satoshis: o.amount, lockingScript: Script.fromHex(o.script) })
  if (withChange) tx.addOutput({ satoshis: 0, lockingScript: CHANGE_SHAPE })
  return new SatoshisPerKilobyte(satoshisPerKb).computeFee(tx)
}

/**
 * Picks coins largest first until they pay `outputs` and the fee; `undefined` when all of them
 * together cannot.
 */
export async function planSpend<C extends SpendableCoin>(
  coins: readonly C[],
  outputs: readonly PlannedOutput[],
  satoshisPerKb: number,
  minChange = 1,
): Promise<SpendPlan<C> | undefined> {
  const amount = outputs.reduce((n, o) => n + o.amount, 0)
  const sorted = [...coins].sort((a, b) => b.satoshis - a.satoshis)
  let total = 0
  for (let n = 1; n <= sorted.length; n++) {
    total += sorted[n - 1]!.satoshis
    const chosen = sorted.slice(0, n)
    const withChange = await estimateFee(n, outputs, true, satoshisPerKb)
    if (total - amount - withChange >= minChange) {
      return { coins: chosen, total, fee: withChange, change: total - amount - withChange }
    }
    const without = await estimateFee(n, outputs, false, satoshisPerKb)
    if (total - amount >= without) return { coins: chosen, total, fee: total - amount, change: 0 }
  }
  return undefined
}
