/**
 * The bodies the devnet POSTs to callback URLs (PROTOCOLS.md §12.1, §12.2):
 * - ARC: `{timestamp, txid, txStatus, extraInfo, competingTxs, merklePath, blockHash, blockHeight}`,
 *   `Authorization: Bearer {X-CallbackToken}`;
 * - mAPI: a JSONEnvelope signed by the miner key whose payload is the merkle-proof callback with
 *   a TSC (BRC-10) proof, `Authorization: {callbackToken}` as given. Compact JSON, no backslashes.
 */
import type { PrivateKey } from '@bsv/sdk'
import { signEnvelope } from '../chain/json-envelope.ts'
import { tscFromMerklePath } from '../chain/tsc-proof.ts'
import type { Subscription, TxEvent } from './subscription.ts'

/** One callback request, ready to send. */
export interface CallbackRequest {
  status: string
  authorization: string
  body: string
}

/** Builds the callback for `event`, or null when this API has none for that status. */
export function buildCallback(
  sub: Subscription,
  event: TxEvent,
  minerKey: PrivateKey,
): CallbackRequest | null {
  if (sub.api === 'arc') {
    return {
      status: event.status,
      authorization: bearer(sub.token),
      body: JSON.stringify(arcCallback(event)),
    }
  }
  if (event.status !== 'MINED') return null
  const payload = JSON.stringify(mapiMerkleProofCallback(event, minerKey.toPublicKey().toString()))
  return {
    status: 'merkleProof',
    authorization: sub.token,
    body: JSON.stringify(signEnvelope(payload, minerKey)),
  }
}

function bearer(token: string): string {
  return token === '' ? '' : `Bearer ${token}`
}

/** ARC's callback body. */
export function arcCallback(event: TxEvent): Record<string, unknown> {
  return {
    timestamp: new Date(event.timestamp).toISOString(),
    txid: event.txid,
    txStatus: event.status,
    extraInfo: '',
    competingTxs: null,
    merklePath: event.merklePath?.toHex() ?? '',
    blockHash: event.block?.hash ?? '',
    blockHeight: event.block?.height ?? 0,
  }
}

/** mAPI 1.5.0's merkle-proof callback payload (TSC proof, target = block hash). */
export function mapiMerkleProofCallback(event: TxEvent, minerId: string): Record<string, unknown> {
  const block = event.block!
  return {
    callbackPayload: tscFromMerklePath(event.merklePath!, event.txid, block.hash, 'hash'),
    apiVersion: '1.5.0',
    timestamp: new Date(event.timestamp).toISOString(),
    minerId,
    blockHash: block.hash,
    blockHeight: block.height,
    callbackTxId: event.txid,
    callbackReason: 'merkleProof',
  }
}
