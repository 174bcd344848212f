/**
 * The ProofEnvelope (PROTOCOLS.md P4 §13): the one body a merkle proof is delivered in, to
 * customers' proof callbacks and on relay channels.
 */
import type { MerklePath } from '@bsv/sdk'
import { tscFromMerklePath } from './tsc-proof.ts'

/**
 * The ProofEnvelope (§13): an unsigned JSONEnvelope whose payload is a mAPI-style merkle-proof
 * callback (TSC proof, target the block hash) carrying the BUMP as `merklePath` too.
 */
export function proofEnvelope(
  txid: string,
  path: MerklePath,
  blockHash: string,
  blockHeight: number,
  now: number,
) {
  const payload = {
    callbackPayload: tscFromMerklePath(path, txid, blockHash, 'hash'),
    apiVersion: '1.5.0',
    timestamp: new Date(now).toISOString(),
    blockHash,
    blockHeight,
    callbackTxId: txid,
    callbackReason: 'merkleProof',
    merklePath: path.toHex(),
  }
  return {
    payload: JSON.stringify(payload),
    signature: null,
    publicKey: null,
    encoding: 'UTF-8',
    mimetype: 'application/json',
  }
}
