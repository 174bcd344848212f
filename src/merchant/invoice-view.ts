/**
 * The Invoice object of the admin API (PROTOCOLS.md P4 §3), built from the stored rows: URIs,
 * QR codes (error correction M), and the payment with its proof once there is one.
 */
import QRCode from 'qrcode'
import { rfc3339 } from '../core/clock.ts'
import { bitcoinUri, payUri } from '../p4/uri.ts'
import type { MerchantAttemptsTable, MerchantInvoicesTable, MerchantPaymentsTable } from '../store/schema.ts'
import { effectiveState } from './invoice-state.ts'

export interface InvoicePaymentView {
  txid: string
  state: MerchantPaymentsTable['state']
  receivedAt: string
  satoshisPaid: number
  overpaidSatoshis: number
  /** The PaymentACK sent for it, once decided. */
  ack: unknown
  proof: { blockHash: string; blockHeight: number; merklePath: string } | null
}

/** A Payment refused for arriving after expiry (P4 §10 step 6), kept so it can be refunded. */
export interface LateAttemptView {
  txid: string
  at: string
  refundTo: string | null
}

export interface InvoiceView {
  id: string
  state: MerchantInvoicesTable['state']
  satoshis: number
  description: string
  reference: string | null
  spvRequired: boolean
  model: MerchantInvoicesTable['model']
  createdAt: string
  expiresAt: string
  paymentUrl: string
  bitcoinUri: string
  payUri: string
  qr: string
  qrPng: string
  payment: InvoicePaymentView | null
  lateAttempts: LateAttemptView[]
}

/** Renders an invoice row (and its live payment, if any) at time `now`. */
export async function invoiceView(
  row: MerchantInvoicesTable,
  payment: MerchantPaymentsTable | undefined,
  now: number,
  attempts: readonly MerchantAttemptsTable[] = [],
): Promise<InvoiceView> {
  const uri = bitcoinUri(row.r_url ?? row.payment_url)
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return {
    id: row.id,
    state:
      payment !== undefined && payment.state !== 'rejected'
        ? row.state
        : effectiveState(row.state, row.expires_at, now),
    satoshis: row.satoshis,
    description: row.description,
    reference: row.reference,
    spvRequired: row.spv_required === 1,
    model: row.model,
    createdAt: rfc3339(row.created_at),
    expiresAt: rfc3339(row.expires_at),
    paymentUrl: row.payment_url,
    bitcoinUri: uri,
    payUri: payUri(row.r_url ?? row.payment_url),
    qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    qrPng: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2 }),
    payment: payment === undefined ? null : paymentView(payment),
    lateAttempts: attempts.map((a) => ({ txid: a.txid, at: rfc3339(a.at), refundTo: a.refund_to })),
  }
}

function paymentView(p: MerchantPaymentsTable): InvoicePaymentView {
  const proof =
    p.block_hash !== null && p.block_height !== null && p.merkle_path !== null
      ? { blockHash: p.block_hash, blockHeight: p.block_height, merklePath: p.merkle_path }
      : null
  return {
    txid: p.txid,
    state: p.state,
    receivedAt: rfc3339(p.received_at),
    satoshisPaid: p.satoshis_paid,
    overpaidSatoshis: p.overpaid,
    ack: p.ack === null ? null : JSON.parse(p.ack),
    proof,
  }
}
