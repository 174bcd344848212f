/**
 * What the point-of-sale page lists (issue 8): the newest invoices with the state a customer
 * would see — waiting, paid, proof received, expired, cancelled — and the payment's txid and
 * proof block. Read straight from the store in two queries, without the QR codes the admin
 * API's Invoice object renders, because the page's live feed asks for it every half second.
 */
import type { Store } from '../store/index.ts'
import type { MerchantInvoicesTable, MerchantPaymentsTable } from '../store/schema.ts'
import { effectiveState } from './invoice-state.ts'

/** The state the POS page shows of one invoice. */
export type PosInvoiceStatus = 'waiting' | 'paid' | 'proof received' | 'expired' | 'cancelled'

/** One invoice as the POS page lists it. */
export interface PosInvoice {
  id: string
  status: PosInvoiceStatus
  satoshis: number
  memo: string
  model: MerchantInvoicesTable['model']
  createdAt: number
  expiresAt: number
  txid: string | null
  proof: { blockHash: string; blockHeight: number } | null
}

/** The newest `limit` invoices, newest first, at time `now`. */
export async function recentInvoices(store: Store, now: number, limit = 20): Promise<PosInvoice[]> {
  const rows = await store.db
    .selectFrom('merchant_invoices')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  if (rows.length === 0) return []
  const payments = await store.db
    .selectFrom('merchant_payments')
    .selectAll()
    .where(
      'invoice_id',
      'in',
      rows.map((r) => r.id),
    )
    .where('state', '<>', 'rejected')
    .execute()
  const byInvoice = new Map(payments.map((p) => [p.invoice_id, p]))
  return rows.map((r) => posInvoice(r, byInvoice.get(r.id), now))
}

function posInvoice(r: MerchantInvoicesTable, p: MerchantPaymentsTable | undefined, now: number): PosInvoice {
  const proof =
    p?.block_hash != null && p.block_height != null
      ? { blockHash: p.block_hash, blockHeight: p.block_height }
      : null
  return {
    id: r.id,
    status: statusOf(r, p, now, proof !== null),
    satoshis: r.satoshis,
    memo: r.description,
    model: r.model,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    txid: p?.txid ?? null,
    proof,
  }
}

function statusOf(
  r: MerchantInvoicesTable,
  p: MerchantPaymentsTable | undefined,
  now: number,
  proven: boolean,
): PosInvoiceStatus {
  // A payment still being decided keeps the invoice waiting even past its expiry (it may yet pay it).
  const state = p === undefined ? effectiveState(r.state, r.expires_at, now) : r.state
  if (state === 'paid') return proven ? 'proof received' : 'paid'
  if (state === 'pending') return 'waiting'
  return state
}
