/**
 * Wallet side of protocols-p4.md §5/§6: reads a PaymentRequest of either dialect into one
 * normalised form, keeping the `merchantData` the Payment must echo.
 */
import { type FeeRates, fromBip274FeeRate, fromP4Fees } from './fees.ts'
import { parseWith } from './field-errors.ts'
import { isRecord } from './field-rules.ts'
import type { Merchant } from './merchant.ts'
import type { Output } from './output.ts'
import {
  type Bip270PaymentRequest,
  bip270PaymentRequestSchema,
  type P4PaymentRequest,
  p4PaymentRequestSchema,
} from './payment-request.ts'
import type { P4Network } from './payment-terms.ts'

/** A PaymentRequest as a wallet sees it, whichever dialect served it. Times in ms. */
export interface ReceivedPaymentRequest {
  dialect: 'p4' | 'bip270'
  network: P4Network
  outputs: Output[]
  creationTimestamp: number
  /** Absent when the merchant set none (BIP270 optional, Go's zero time). */
  expirationTimestamp?: number
  memo: string
  paymentUrl: string
  /** `extendedData.paymentReference` (P4) or `paymentReference` of the BIP270 string, if any. */
  paymentId?: string
  /** P4 only: the merchant's display fields. */
  merchant?: Merchant
  /** What the Payment echoes: the Merchant object (P4) or the exact string (BIP270). */
  merchantData?: Merchant | string
  /** Absent when a BIP270 server announced no `feeRate`. */
  fees?: FeeRates
  spvRequired: boolean
}

function fromP4(r: P4PaymentRequest): ReceivedPaymentRequest {
  const out: ReceivedPaymentRequest = {
    dialect: 'p4',
    network: r.network,
    outputs: r.destinations.outputs,
    creationTimestamp: Date.parse(r.creationTimestamp),
    memo: r.memo,
    paymentUrl: r.paymentUrl,
    paymentId: r.merchantData.extendedData.paymentReference,
    merchant: r.merchantData,
    merchantData: r.merchantData,
    fees: fromP4Fees(r.fees),
    spvRequired: r.spvRequired,
  }
  if (r.expirationTimestamp !== undefined) out.expirationTimestamp = Date.parse(r.expirationTimestamp)
  return out
}

/** `paymentReference` of a BIP270 `merchantData` string, when it is JSON carrying one. */
function referenceOf(merchantData: string | undefined): string | undefined {
  if (merchantData === undefined) return undefined
  try {
    const data: unknown = JSON.parse(merchantData)
    return isRecord(data) && typeof data['paymentReference'] === 'string'
      ? data['paymentReference']
      : undefined
  } catch {
    return undefined
  }
}

function fromBip270(r: Bip270PaymentRequest): ReceivedPaymentRequest {
  const out: ReceivedPaymentRequest = {
    dialect: 'bip270',
    network: r.network,
    outputs: r.outputs,
    creationTimestamp: r.creationTimestamp * 1000,
    memo: r.memo ?? '',
    paymentUrl: r.paymentUrl,
    spvRequired: false,
  }
  if (r.expirationTimestamp !== undefined) out.expirationTimestamp = r.expirationTimestamp * 1000
  const paymentId = referenceOf(r.merchantData)
  if (paymentId !== undefined) out.paymentId = paymentId
  if (r.merchantData !== undefined) out.merchantData = r.merchantData
  if (r.feeRate !== undefined) out.fees = fromBip274FeeRate(r.feeRate)
  return out
}

/**
 * Parses a PaymentRequest body of either dialect: top-level `outputs` without `destinations`
 * means strict BIP270, anything else is read as P4. Failure throws `PL1004` with the `errors` map.
 */
export function parsePaymentRequest(body: unknown): ReceivedPaymentRequest {
  const bip270 = isRecord(body) && body['destinations'] === undefined && body['outputs'] !== undefined
  return bip270
    ? fromBip270(parseWith(bip270PaymentRequestSchema, body, 'BIP270 PaymentRequest'))
    : fromP4(parseWith(p4PaymentRequestSchema, body, 'P4 PaymentRequest'))
}
