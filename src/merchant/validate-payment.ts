/**
 * The checks of a Payment that need no lock (PROTOCOLS.md P4 §10 steps 2 and 7–10): parse the
 * transaction, `merchantData`, SPV (§9), fees (§8), outputs. Each failure throws a PaylinkError
 * whose `details.errors` names the field, so the route answers §11's validation body; nothing
 * is stored by these checks.
 */
import type { Transaction } from '@bsv/sdk'
import { detectAncestryFormat, parseAncestry } from '../chain/ancestry.ts'
import { feeSizes, requiredFee } from '../chain/fee-rule.ts'
import type { HeaderSource } from '../chain/headers-client.ts'
import { verifyAncestry } from '../chain/spv.ts'
import { parseSubmission } from '../chain/transaction-format.ts'
import { hexToBytes, isHex } from '../core/bytes.ts'
import type { ErrorCode } from '../core/error-codes.ts'
import { PaylinkError } from '../core/errors.ts'
import { type FeeRates, largerRate } from '../p4/fees.ts'
import type { NormalizedPayment } from '../p4/payment.ts'
import { bip270MerchantData } from '../p4/payment-request.ts'
import type { MerchantInvoicesTable } from '../store/schema.ts'
import type { Served } from './payment-requests.ts'

/** A Payment's transaction, and the BEEF it came in when it came in one. */
export interface PaymentTx {
  tx: Transaction
  txid: string
  /** Hex of the BEEF the transaction arrived in (`rawTx`/`transaction`), if any. */
  beef?: string
}

/** The outcome of the checks: what the transaction pays and what to broadcast. */
export interface Validated {
  satoshisPaid: number
  overpaid: number
  /** For ARC: the BEEF the customer sent (as `rawTx` or `ancestry`) or the raw transaction. */
  broadcastBody: string
}

function fieldError(code: ErrorCode, field: string, message: string): PaylinkError {
  return new PaylinkError(code, message, { details: { errors: { [field]: [message] } } })
}

/** Step 2: the transaction of `rawTx` / `transaction` (raw, EF or BEEF), or 400 `PL2004`. */
export function parsePaymentTx(payment: NormalizedPayment, dialect: 'p4' | 'bip270'): PaymentTx {
  const field = dialect === 'p4' ? 'rawTx' : 'transaction'
  try {
    if (!isHex(payment.rawTx) || payment.rawTx === '') throw new Error('not hex')
    const { tx, format } = parseSubmission(hexToBytes(payment.rawTx))
    if (tx.inputs.length === 0 || tx.outputs.length === 0) throw new Error('no inputs or no outputs')
    const txid = tx.id('hex')
    return format === 'beef' ? { tx, txid, beef: payment.rawTx } : { tx, txid }
  } catch (err) {
    throw fieldError('PL2004', field, `transaction could not be parsed: ${(err as Error).message}`)
  }
}

export interface ValidateArgs {
  invoice: MerchantInvoicesTable
  served: Served
  dialect: 'p4' | 'bip270'
  payment: NormalizedPayment
  paymentTx: PaymentTx
  headers: HeaderSource
  /** The broadcaster's current rates, asked only when the served quote has expired. */
  currentRates: () => Promise<FeeRates>
  now: number
}

/** Steps 7–10, in order. */
export async function validatePayment(a: ValidateArgs): Promise<Validated> {
  checkMerchantData(a)
  const inputSatoshis = await checkSpv(a)
  if (inputSatoshis !== undefined) await checkFees(a, inputSatoshis)
  const { satoshisPaid, overpaid } = checkOutputs(a.paymentTx.tx, a.invoice)
  return {
    satoshisPaid,
    overpaid,
    broadcastBody: a.paymentTx.beef ?? beefOf(a.payment.ancestry) ?? a.paymentTx.tx.toHex(),
  }
}

/** The ancestry when it is a BEEF form a broadcaster takes (go-bc binary ancestry is not one). */
function beefOf(ancestry: string | undefined): string | undefined {
  if (ancestry === undefined || !isHex(ancestry)) return undefined
  const format = detectAncestryFormat(hexToBytes(ancestry.slice(0, 8)))
  return format === undefined || format === 'binary' ? undefined : ancestry
}

/** Step 7 (§5, §6): the Payment names this invoice. */
function checkMerchantData(a: ValidateArgs): void {
  if (a.dialect === 'p4') {
    if (a.payment.paymentReference !== a.invoice.id) {
      throw fieldError(
        'PL2012',
        'merchantData.extendedData.paymentReference',
        'paymentReference does not match this invoice',
      )
    }
    return
  }
  const served = bip270MerchantData(a.invoice.id)
  if (typeof a.payment.merchantData === 'string' && a.payment.merchantData !== served) {
    throw fieldError('PL2012', 'merchantData', 'merchantData does not match the one served')
  }
}

/** Step 8 (§9): the ancestry, when required or given; returns the payment's input satoshis. */
async function checkSpv(a: ValidateArgs): Promise<number | undefined> {
  const hex = a.payment.ancestry ?? a.paymentTx.beef
  if (hex === undefined) {
    if (a.invoice.spv_required === 1)
      throw fieldError('PL3001', 'ancestry', 'ancestry is required for this invoice')
    return undefined
  }
  let ancestry: ReturnType<typeof parseAncestry>
  try {
    if (!isHex(hex)) throw new PaylinkError('PL3002', 'ancestry is not hex')
    ancestry = parseAncestry(hexToBytes(hex), a.paymentTx.txid)
  } catch (err) {
    const code = err instanceof PaylinkError ? err.code : 'PL3002'
    throw fieldError(code, 'ancestry', (err as Error).message)
  }
  const result = await verifyAncestry(ancestry, a.paymentTx.tx, a.headers)
  if (result.ok) return result.inputSatoshis
  if (result.code === 'PL3005') throw new PaylinkError('PL3005', result.detail)
  throw fieldError(result.code, 'ancestry', result.detail)
}

/** Step 9 (§8): the served quote is enforced; an expired one only if the current one asks more. */
async function checkFees(a: ValidateArgs, inputSatoshis: number): Promise<void> {
  const tx = a.paymentTx.tx
  const paid = inputSatoshis - tx.outputs.reduce((n, o) => n + (o.satoshis ?? 0), 0)
  const sizes = feeSizes(tx)
  const required = (rates: FeeRates) => dialectFee(a.dialect, sizes, rates)
  if (paid < required(a.served.fees)) throw fieldError('PL2003', 'fees', 'not enough fees paid')
  if (a.now >= a.served.quoteExpiresAt && paid < required(await a.currentRates())) {
    throw new PaylinkError('PL2006', 'fee quote has expired, please make a new payment request')
  }
}

/**
 * The fee a dialect's request announced (§8): P4 `fees` per part (standard, data); strict BIP270
 * `feeRate`, the larger rate over the whole size, which can ask more than the per-part rule.
 */
function dialectFee(dialect: 'p4' | 'bip270', sizes: { size: number; dataBytes: number }, rates: FeeRates) {
  if (dialect === 'p4') return requiredFee(sizes, rates)
  const { satoshis, bytes } = largerRate(rates)
  return Math.floor((sizes.size * satoshis) / bytes)
}

/** Step 10: the invoice's script is paid at least its amount (change and overpayment allowed). */
function checkOutputs(
  tx: Transaction,
  invoice: MerchantInvoicesTable,
): { satoshisPaid: number; overpaid: number } {
  let paid = 0
  let matched = 0
  for (const output of tx.outputs) {
    if (output.lockingScript.toHex() !== invoice.script) continue
    paid += output.satoshis ?? 0
    matched++
  }
  if (matched === 0) throw fieldError('PL2002', 'tx.outputs', "expected '1' outputs, received '0'")
  if (paid < invoice.satoshis) {
    throw fieldError(
      'PL2001',
      'transaction',
      `tx does not pay enough: ${invoice.satoshis - paid} satoshis short`,
    )
  }
  return { satoshisPaid: paid, overpaid: paid - invoice.satoshis }
}
