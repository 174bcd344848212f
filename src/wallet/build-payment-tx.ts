/**
 * Building and signing the payment transaction from reserved coins: one P2PKH input per coin
 * (its source transaction read from the coin's BEEF, so the ancestry can go along, §9), the
 * requested outputs in order, then the change output when the plan has one. The fee is the
 * plan's (§8, `coin-selection.ts`); nothing here asks the network.
 */
import { P2PKH, type PrivateKey, Script, Transaction } from '@bsv/sdk'
import type { WalletCoinsTable } from '../store/schema.ts'
import type { PlannedOutput, SpendPlan } from './coin-selection.ts'
import { keyAt } from './wallet-keys.ts'

/** What the transaction pays besides the requested outputs. */
export interface ChangeOutput {
  satoshis: number
  script: string
}

/** The signed transaction spending `plan.coins` to `outputs` (+ `change`). */
export async function buildPaymentTx(
  master: PrivateKey,
  plan: SpendPlan<WalletCoinsTable>,
  outputs: readonly PlannedOutput[],
  change: ChangeOutput | undefined,
): Promise<Transaction> {
  const tx = new Transaction()
  const sources = new Map<string, Transaction>()
  for (const coin of plan.coins) {
    const source = sources.get(coin.txid) ?? Transaction.fromHexBEEF(coin.source_beef, coin.txid)
    sources.set(coin.txid, source)
    tx.addInput({
      sourceTransaction: source,
      sourceOutputIndex: coin.vout,
      unlockingScriptTemplate: new P2PKH().unlock(keyAt(master, coin.key_index)),
    })
  }
  for (const o of outputs) tx.addOutput({ satoshis: o.amount, lockingScript: Script.fromHex(o.script) })
  if (change !== undefined && change.satoshis > 0) {
    tx.addOutput({ satoshis: change.satoshis, lockingScript: Script.fromHex(change.script) })
  }
  await tx.sign()
  return tx
}
