/**
 * Full script evaluation of every input (PROTOCOLS.md §9 step 4; defect D16 of go-bc, which
 * never evaluated scripts): each input's unlocking script runs against the locking script of
 * the output it spends, with `@bsv/sdk`'s interpreter (`Spend`): signatures, sighash types and
 * any script. A P2PKH input is first offered to the native fast path (`p2pkh-fast-path.ts`), which
 * can only confirm: whatever it does not confirm — invalid or merely unusual — is evaluated by the
 * interpreter, so every refusal and its reason still come from the interpreter.
 */
import { type LockingScript, Spend, type Transaction } from '@bsv/sdk'
import { P2pkhFastPath } from './p2pkh-fast-path.ts'

/** The output an input spends, as the verifier needs it. */
export interface SourceOutput {
  satoshis: number
  lockingScript: LockingScript
}

/** The index and reason of the first input whose scripts fail, or null when all pass. */
export function verifyScripts(
  tx: Transaction,
  sources: readonly SourceOutput[],
): { inputIndex: number; reason: string } | null {
  const fastPath = new P2pkhFastPath(tx)
  for (let i = 0; i < tx.inputs.length; i++) {
    const input = tx.inputs[i]!
    const source = sources[i]!
    if (fastPath.verify(i, source) === true) continue
    const spend = new Spend({
      sourceTXID: input.sourceTXID ?? input.sourceTransaction!.id('hex'),
      sourceOutputIndex: input.sourceOutputIndex,
      sourceSatoshis: source.satoshis,
      lockingScript: source.lockingScript,
      transactionVersion: tx.version,
      otherInputs: tx.inputs.filter((_, j) => j !== i),
      outputs: tx.outputs,
      inputIndex: i,
      unlockingScript: input.unlockingScript!,
      inputSequence: input.sequence ?? 0xffffffff,
      lockTime: tx.lockTime,
    })
    try {
      if (!spend.validate()) return { inputIndex: i, reason: 'script evaluated to false' }
    } catch (err) {
      return { inputIndex: i, reason: (err as Error).message }
    }
  }
  return null
}
