/** The wallet's payment history as it reports it: each payment with its outcome and proof. */
import { parseAck } from '../p4/payment-ack.ts'
import type { Store } from '../store/index.ts'
import type { WalletPaymentsTable } from '../store/schema.ts'
import { jsonOf } from './http-request.ts'
import type { PaymentState } from './payment-state.ts'

/** One payment as reported. */
export interface PaymentRecord {
  id: string
  state: PaymentState
  merchant: string
  memo: string
  /** Paid to the merchant, in satoshis. */
  satoshis: number
  /** Paid to miners, in satoshis. */
  fee: number
  txid: string | null
  paymentUrl: string
  dialect: WalletPaymentsTable['dialect']
  /** The ACK's memo, when an ACK was read. */
  ackMemo: string | null
  /** Refused or failed: the reason; sent: why it is still undecided. */
  reason: string | null
  attempts: number
  createdAt: number
  /** The block of the stored proof, once there is one. */
  proof: { blockHash: string; blockHeight: number } | null
}

/** Every payment, newest first. */
export async function listPayments(store: Store): Promise<PaymentRecord[]> {
  const rows = await store.db
    .selectFrom('wallet_payments')
    .leftJoin('wallet_proofs', 'wallet_proofs.txid', 'wallet_payments.txid')
    .selectAll('wallet_payments')
    .select(['wallet_proofs.block_hash', 'wallet_proofs.block_height'])
    .orderBy('wallet_payments.created_at', 'desc')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    state: r.state,
    merchant: r.merchant,
    memo: r.memo,
    satoshis: Number(r.satoshis),
    fee: Number(r.fee),
    txid: r.txid,
    paymentUrl: r.payment_url,
    dialect: r.dialect,
    ackMemo: ackMemo(r.ack),
    reason: r.reason,
    attempts: r.attempts,
    createdAt: Number(r.created_at),
    proof:
      r.block_hash === null || r.block_height === null
        ? null
        : { blockHash: r.block_hash, blockHeight: r.block_height },
  }))
}

/** The memo of a stored ACK (read back through its schema), else null. */
function ackMemo(stored: string | null): string | null {
  if (stored === null) return null
  try {
    return parseAck(jsonOf(stored)).memo
  } catch {
    return null
  }
}
