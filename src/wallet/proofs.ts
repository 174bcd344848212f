/**
 * The wallet's merkle proofs (protocols-p4.md §13 "Merkle Proof to both parties"). A proof is
 * stored only after it verified against the Block Headers Service (§9), and it also confirms the
 * coins its transaction made (their BEEF then ends there). Two ways in: asking the broadcaster
 * (`GET /v1/tx/{txid}`, §13 fallback) for every acked payment still without one, or the
 * merchant's delivery to this wallet's `proofCallbacks` endpoint (`proof-server.ts`).
 */
import type { ArcClient } from '../chain/arc-client.ts'
import type { HeaderSource } from '../chain/headers-client.ts'
import { type VerifiedProof, verifyProof } from '../chain/proof-callback.ts'
import type { Clock } from '../core/clock.ts'
import { isPaylinkError } from '../core/errors.ts'
import type { Store } from '../store/index.ts'
import type { WalletProofsTable } from '../store/schema.ts'
import { confirmCoins } from './coins.ts'

/** A stored proof, as the wallet reports it. */
export interface ProofRecord {
  txid: string
  paymentId: string | null
  blockHash: string
  blockHeight: number
  /** BUMP (BRC-74) hex. */
  merklePath: string
  source: WalletProofsTable['source']
  receivedAt: number
}

/** Stores a verified proof of `txid` (a later one, after a reorg, replaces it). */
export async function storeProof(
  store: Store,
  clock: Clock,
  entry: {
    txid: string
    paymentId: string | null
    proof: VerifiedProof
    source: WalletProofsTable['source']
  },
): Promise<ProofRecord> {
  const row: WalletProofsTable = {
    txid: entry.txid,
    payment_id: entry.paymentId,
    block_hash: entry.proof.blockHash,
    block_height: entry.proof.blockHeight,
    merkle_path: entry.proof.path.toHex(),
    source: entry.source,
    received_at: clock.now(),
  }
  await store.db
    .insertInto('wallet_proofs')
    .values(row)
    .onConflict((oc) =>
      oc.column('txid').doUpdateSet({
        block_hash: row.block_hash,
        block_height: row.block_height,
        merkle_path: row.merkle_path,
        source: row.source,
        received_at: row.received_at,
      }),
    )
    .execute()
  await confirmCoins(store, entry.txid, entry.proof.path, clock)
  return recordOf(row)
}

/** Every stored proof, newest first. */
export async function listProofs(store: Store): Promise<ProofRecord[]> {
  const rows = await store.db.selectFrom('wallet_proofs').selectAll().orderBy('received_at', 'desc').execute()
  return rows.map(recordOf)
}

/**
 * Asks the broadcaster for each acked payment without a proof; stores those mined whose path
 * verifies. A path that does not verify is skipped (it is asked again next time); a broadcaster
 * or headers service that cannot be reached throws.
 */
export async function checkProofs(
  store: Store,
  clock: Clock,
  arc: ArcClient,
  headers: HeaderSource,
): Promise<ProofRecord[]> {
  const waiting = await store.db
    .selectFrom('wallet_payments')
    .leftJoin('wallet_proofs', 'wallet_proofs.txid', 'wallet_payments.txid')
    .select(['wallet_payments.id', 'wallet_payments.txid'])
    .where('wallet_payments.state', '=', 'acked')
    .where('wallet_proofs.txid', 'is', null)
    .execute()
  const stored: ProofRecord[] = []
  for (const { id, txid } of waiting) {
    if (txid === null) continue
    const status = await arc.status(txid)
    if (status?.mined !== true || status.merklePath === undefined) continue
    const event = {
      kind: 'proof' as const,
      txid,
      bump: status.merklePath,
      ...(status.blockHash ? { blockHash: status.blockHash } : {}),
    }
    const proof = await verifiedOrSkipped(event, txid, headers)
    if (proof !== undefined) {
      stored.push(await storeProof(store, clock, { txid, paymentId: id, proof, source: 'broadcaster' }))
    }
  }
  return stored
}

/** The verified proof, or undefined when it does not verify; `PL3005` (cannot tell) is thrown. */
async function verifiedOrSkipped(
  event: Parameters<typeof verifyProof>[0],
  txid: string,
  headers: HeaderSource,
): Promise<VerifiedProof | undefined> {
  try {
    return await verifyProof(event, txid, headers)
  } catch (err) {
    if (isPaylinkError(err, 'PL6004') || isPaylinkError(err, 'PL6003')) return undefined
    throw err
  }
}

function recordOf(row: WalletProofsTable): ProofRecord {
  return {
    txid: row.txid,
    paymentId: row.payment_id,
    blockHash: row.block_hash,
    blockHeight: row.block_height,
    merklePath: row.merkle_path,
    source: row.source,
    receivedAt: row.received_at,
  }
}
