/**
 * The peer of the acceptance benchmark: what `@bsv/sdk`'s interpreter does for OP_CHECKSIG of a
 * P2PKH input (`Spend.ts`: `checkSignatureEncoding` → `fromChecksigFormat`, `PublicKey.fromDER`,
 * `verifySignature` → BIP143/FORKID sighash preimage, hash256, `ECDSA.verify`), without the
 * interpreter around it.
 */
import {
  BigNumber,
  ECDSA,
  Hash,
  type LockingScript,
  PublicKey,
  type Transaction,
  TransactionSignature,
} from '@bsv/sdk'

type PreimageParams = Parameters<typeof TransactionSignature.formatBytes>[0]

/** The signature, public key and sighash inputs of a P2PKH input, read once before timing. */
export interface ChecksigCase {
  signature: number[]
  publicKey: number[]
  params: Omit<PreimageParams, 'scope'>
}

/** The OP_CHECKSIG case of input 0 of a 1-input P2PKH `tx` spending `source`. */
export function checksigCase(
  tx: Transaction,
  source: { satoshis: number; lockingScript: LockingScript },
): ChecksigCase {
  const input = tx.inputs[0]!
  const [sig, pub] = input.unlockingScript!.chunks
  if (sig?.data === undefined || pub?.data === undefined) throw new Error('input 0 is not a P2PKH unlock')
  return {
    signature: sig.data,
    publicKey: pub.data,
    params: {
      sourceTXID: input.sourceTXID!,
      sourceOutputIndex: input.sourceOutputIndex,
      sourceSatoshis: source.satoshis,
      transactionVersion: tx.version,
      otherInputs: [],
      outputs: tx.outputs,
      inputIndex: 0,
      // P2PKH has no OP_CODESEPARATOR and the signature is not in the locking script, so the
      // interpreter's subscript (after findAndDelete) is the locking script itself.
      subscript: source.lockingScript,
      inputSequence: input.sequence ?? 0xffffffff,
      lockTime: tx.lockTime,
    },
  }
}

/** Verifies one case as OP_CHECKSIG does; true when the signature is valid. */
export function checksig(c: ChecksigCase): boolean {
  const sig = TransactionSignature.fromChecksigFormat(c.signature)
  const publicKey = PublicKey.fromDER(c.publicKey)
  const preimage = TransactionSignature.formatBytes({ ...c.params, scope: sig.scope, cache: {} })
  return ECDSA.verify(new BigNumber(Hash.hash256(preimage)), sig, publicKey)
}
