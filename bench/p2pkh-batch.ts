/**
 * The benchmarks' transactions: one mined split transaction with many equal P2PKH outputs to one
 * key, and pre-signed independent 1-input 2-output P2PKH payments (payee + change) spending them,
 * so every payment is valid on its own and none conflicts with another.
 */
import {
  Hash,
  type LockingScript,
  P2PKH,
  PrivateKey,
  Transaction,
  TransactionSignature,
  UnlockingScript,
} from '@bsv/sdk'
import type { Devnet, Policy } from '../src/devnet/index.ts'

/** Satoshis in each split output; a payment pays `PAY_SATOSHIS` of it and keeps the rest less the fee. */
export const OUTPUT_SATOSHIS = 1000
const PAY_SATOSHIS = 600

// Serialised sizes, for fees: a signed P2PKH input, a P2PKH output, version + counts + lock time.
const INPUT_BYTES = 148
const OUTPUT_BYTES = 34
const OVERHEAD_BYTES = 14

function feeFor(bytes: number, policy: Policy): number {
  return Math.ceil((bytes * policy.fee.satoshis) / policy.fee.bytes)
}

/** A faucet payment split into `count` outputs of `OUTPUT_SATOSHIS` to `key`, accepted and mined. */
export async function fundSplit(devnet: Devnet, key: PrivateKey, count: number): Promise<Transaction> {
  const lock = new P2PKH().lock(key.toAddress())
  const fee = feeFor(OVERHEAD_BYTES + INPUT_BYTES + count * OUTPUT_BYTES, devnet.policy)
  const paid = await devnet.faucet.pay(lock, count * OUTPUT_SATOSHIS + fee)
  const split = new Transaction()
  split.addInput({
    sourceTransaction: Transaction.fromHex(paid.rawTx),
    sourceOutputIndex: paid.vout,
    unlockingScriptTemplate: new P2PKH().unlock(key),
  })
  for (let i = 0; i < count; i++) split.addOutput({ satoshis: OUTPUT_SATOSHIS, lockingScript: lock })
  await split.sign()
  // As the devnet receives it: inputs name their source txid (the ledger reads `sourceTXID`).
  const result = await devnet.ledger.accept(Transaction.fromHex(split.toHex()))
  if (result.kind === 'rejected') throw new Error(`split refused: ${result.status} ${result.detail}`)
  await devnet.ledger.mine(1)
  return split
}

/** Who signs the payments: the key of the split outputs, its encoded public key and their lock. */
interface Signer {
  key: PrivateKey
  publicKey: number[]
  lock: LockingScript
}

const SCOPE = TransactionSignature.SIGHASH_ALL | TransactionSignature.SIGHASH_FORKID

/**
 * Signed payments spending outputs `from` … `from + count − 1` of `split`, each as the devnet
 * receives it: parsed back from its bytes, so the input names its source txid. Signed as the SDK's
 * P2PKH template signs (SIGHASH_ALL | FORKID), but with the public key encoded once: the template
 * derives it again for every signature, which costs more than the signature itself.
 */
export function signPayments(
  split: Transaction,
  key: PrivateKey,
  range: { from: number; count: number },
  policy: Policy,
): Transaction[] {
  const signer: Signer = {
    key,
    publicKey: key.toPublicKey().encode(true) as number[],
    lock: new P2PKH().lock(key.toAddress()),
  }
  const payee = new P2PKH().lock(PrivateKey.fromRandom().toAddress())
  const fee = feeFor(OVERHEAD_BYTES + INPUT_BYTES + 2 * OUTPUT_BYTES, policy)
  const splitTXID = split.id('hex')
  const out: Transaction[] = []
  for (let vout = range.from; vout < range.from + range.count; vout++) {
    const tx = new Transaction()
    tx.addInput({ sourceTXID: splitTXID, sourceOutputIndex: vout, sequence: 0xffffffff })
    tx.addOutput({ satoshis: PAY_SATOSHIS, lockingScript: payee })
    tx.addOutput({ satoshis: OUTPUT_SATOSHIS - PAY_SATOSHIS - fee, lockingScript: signer.lock })
    tx.inputs[0]!.unlockingScript = unlock(tx, signer)
    out.push(Transaction.fromHex(tx.toHex()))
  }
  return out
}

/** The P2PKH unlocking script of input 0 of `tx` (BIP143-style FORKID sighash, hash256, ECDSA). */
function unlock(tx: Transaction, signer: Signer): UnlockingScript {
  const input = tx.inputs[0]!
  const preimage = TransactionSignature.formatBytes({
    sourceTXID: input.sourceTXID!,
    sourceOutputIndex: input.sourceOutputIndex,
    sourceSatoshis: OUTPUT_SATOSHIS,
    transactionVersion: tx.version,
    otherInputs: [],
    outputs: tx.outputs,
    inputIndex: 0,
    subscript: signer.lock,
    inputSequence: input.sequence!,
    lockTime: tx.lockTime,
    scope: SCOPE,
  })
  // `PrivateKey.sign` hashes its message once more: the signed digest is hash256(preimage).
  const raw = signer.key.sign(Hash.sha256(preimage))
  const sig = new TransactionSignature(raw.r, raw.s, SCOPE).toChecksigFormat()
  return new UnlockingScript([
    { op: sig.length, data: sig },
    { op: signer.publicKey.length, data: signer.publicKey },
  ])
}
