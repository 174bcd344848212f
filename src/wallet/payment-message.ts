/**
 * The Payment the wallet sends (protocols-p4.md §5 Payment, §6 Payment), in the dialect the
 * request came in: P4 JSON `{merchantData, rawTx, ancestry, …}` as `application/json`, or strict
 * BIP270 `{merchantData, transaction, …}` as `application/bitcoinsv-payment`. `merchantData` is
 * echoed exactly as served (the object, or the BIP270 string byte for byte); `ancestry` (BEEF)
 * and `proofCallbacks` are paylink's extensions in both.
 */
import type { ProofCallbacks } from '../p4/proof-callbacks.ts'
import type { Dialect } from './presentation.ts'

/** What goes into a Payment besides the dialect. */
export interface PaymentParts {
  merchantData: unknown
  rawTx: string
  /** BEEF hex of the transaction with its ancestors (§9). */
  ancestry: string
  proofCallbacks?: ProofCallbacks
  refundTo?: string
  memo?: string
}

/** A Payment ready to send: its body text and media type. */
export interface PaymentMessage {
  body: string
  contentType: string
}

/** The Payment of `parts` in `dialect`. */
export function paymentMessage(dialect: Dialect, parts: PaymentParts): PaymentMessage {
  const optional = {
    ...(parts.proofCallbacks === undefined ? {} : { proofCallbacks: parts.proofCallbacks }),
    ...(parts.refundTo === undefined ? {} : { refundTo: parts.refundTo }),
    ...(parts.memo === undefined ? {} : { memo: parts.memo }),
  }
  if (dialect === 'p4') {
    const body = {
      merchantData: parts.merchantData,
      rawTx: parts.rawTx,
      ancestry: parts.ancestry,
      ...optional,
    }
    return { body: JSON.stringify(body), contentType: 'application/json' }
  }
  const body = {
    ...(typeof parts.merchantData === 'string' ? { merchantData: parts.merchantData } : {}),
    transaction: parts.rawTx,
    ancestry: parts.ancestry,
    ...optional,
  }
  return { body: JSON.stringify(body), contentType: 'application/bitcoinsv-payment' }
}
