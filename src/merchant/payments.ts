/**
 * Receiving a Payment (PROTOCOLS.md P4 §10), in order: parse the transaction (2); replay (4): a
 * Payment already seen gets its stored ACK and status, byte-identical; state (5): another live
 * payment → 409 `PL2007`, cancelled → 422 `PL2008`; expiry (6): → 422 `PL2005`, the attempt
 * logged; the lock-free checks (7–10, `validate-payment.ts`); persist (11) as `accepted` before
 * anything leaves the process; broadcast (12, `broadcast-step.ts`).
 *
 * "Lock the invoice" (3) is the database's: the unique index on (invoice, txid) and the partial
 * unique index "one payment not `rejected` per invoice" decide between concurrent POSTs; the
 * loser re-enters at step 4 (same txid) or step 5 (another txid). This holds as well between
 * several merchant instances sharing one PostgreSQL database as within one process. No
 * transaction is held across network calls (SPV headers, broadcaster).
 */

import type { HeaderSource } from '../chain/headers-client.ts'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { randomToken, uuid } from '../core/ids.ts'
import type { ParsedPayment } from '../p4/parse-payment.ts'
import { isUniqueViolation, type Store } from '../store/index.ts'
import type { MerchantInvoicesTable, MerchantPaymentsTable } from '../store/schema.ts'
import type { BroadcastStep } from './broadcast-step.ts'
import { crashPoint } from './crash-point.ts'
import { loadInvoice } from './invoice-row.ts'
import { effectiveState } from './invoice-state.ts'
import { type PaymentRequests, servedOf } from './payment-requests.ts'
import { type PaymentTx, parsePaymentTx, validatePayment } from './validate-payment.ts'

/** The answer to a Payment: an ACK with its HTTP status (201, or 422 when `error` > 0). */
export interface AckAnswer {
  status: number
  body: string
}

export interface PaymentsOptions {
  store: Store
  clock: Clock
  headers: HeaderSource
  requests: PaymentRequests
  broadcast: BroadcastStep
}

export class Payments {
  readonly #o: PaymentsOptions

  constructor(options: PaymentsOptions) {
    this.#o = options
  }

  /** Receives a parsed Payment for invoice `invoiceId`. */
  async receive(invoiceId: string, parsed: ParsedPayment): Promise<AckAnswer> {
    crashPoint('payment-received')
    const invoice = await this.#invoice(invoiceId)
    const paymentTx = parsePaymentTx(parsed.payment, parsed.dialect)
    const early = await this.#replayOrRefuse(invoice, paymentTx, parsed)
    if (early !== undefined) return early
    const served = servedOf(invoice) ?? servedOf(await this.#stamped(invoiceId))!
    const now = this.#o.clock.now()
    const validated = await validatePayment({
      invoice,
      served,
      dialect: parsed.dialect,
      payment: parsed.payment,
      paymentTx,
      headers: this.#o.headers,
      currentRates: () => this.#o.requests.currentRates(),
      now,
    })
    crashPoint('validated')
    const row: MerchantPaymentsTable = {
      id: uuid(),
      invoice_id: invoiceId,
      txid: paymentTx.txid,
      state: 'accepted',
      dialect: parsed.dialect,
      raw_tx: paymentTx.tx.toHex(),
      broadcast_body: validated.broadcastBody,
      refund_to: parsed.payment.refundTo ?? null,
      memo: parsed.payment.memo ?? null,
      proof_callbacks:
        parsed.payment.proofCallbacks === undefined ? null : JSON.stringify(parsed.payment.proofCallbacks),
      callback_token: randomToken(),
      satoshis_paid: validated.satoshisPaid,
      overpaid: validated.overpaid,
      ack: null,
      ack_status: null,
      received_at: now,
      block_hash: null,
      block_height: null,
      merkle_path: null,
      updated_at: now,
    }
    const lost = await this.#insertOrAnswer(row, paymentTx, parsed)
    if (lost !== undefined) return lost
    crashPoint('stored')
    return this.#o.broadcast.run(row)
  }

  /**
   * Step 11: inserts `row`, or answers as the row that won a race for the same invoice (step 4 or
   * 5) when a unique index refused it. The winner can be rejected by the broadcaster between the
   * refusal and the re-read, freeing the invoice again: then the insert is tried anew, since the
   * validation already done still holds. Several merchant instances on one database race here.
   */
  async #insertOrAnswer(
    row: MerchantPaymentsTable,
    paymentTx: PaymentTx,
    parsed: ParsedPayment,
  ): Promise<AckAnswer | undefined> {
    for (let attempt = 0; attempt < MAX_INSERT_ATTEMPTS; attempt++) {
      try {
        await this.#o.store.db.insertInto('merchant_payments').values(row).execute()
        return undefined
      } catch (err) {
        if (!isUniqueViolation(err)) throw err
      }
      const answer = await this.#replayOrRefuse(await this.#invoice(row.invoice_id), paymentTx, parsed)
      if (answer !== undefined) return answer
    }
    return raceDefect()
  }

  #invoice(id: string): Promise<MerchantInvoicesTable> {
    return loadInvoice(this.#o.store, id)
  }

  /** A Payment POSTed before any GET: stamp the request now, so its quote is the one enforced. */
  async #stamped(id: string): Promise<MerchantInvoicesTable> {
    await this.#o.requests.terms(id)
    return this.#invoice(id)
  }

  /** Steps 4–6: the stored answer for a known Payment, a refusal, or undefined to go on. */
  async #replayOrRefuse(
    invoice: MerchantInvoicesTable,
    paymentTx: PaymentTx,
    parsed: ParsedPayment,
  ): Promise<AckAnswer | undefined> {
    const payments = await this.#o.store.db
      .selectFrom('merchant_payments')
      .selectAll()
      .where('invoice_id', '=', invoice.id)
      .execute()
    const same = payments.find((p) => p.txid === paymentTx.txid)
    if (same !== undefined) {
      if (same.ack !== null && same.ack_status !== null) return { status: same.ack_status, body: same.ack }
      return this.#o.broadcast.run(same)
    }
    // A paid invoice stays paid even when its payment later failed at the broadcaster.
    if (invoice.state === 'paid' || payments.some((p) => p.state !== 'rejected')) {
      throw new PaylinkError('PL2007', 'this invoice is already paid by another transaction')
    }
    const now = this.#o.clock.now()
    const state = effectiveState(invoice.state, invoice.expires_at, now)
    if (state === 'cancelled') throw new PaylinkError('PL2008', 'the invoice was cancelled')
    if (state === 'expired') {
      await this.#logLate(invoice.id, paymentTx, parsed, now)
      throw new PaylinkError(
        'PL2005',
        'the invoice expired before this payment arrived; it was not broadcast',
      )
    }
    return undefined
  }

  async #logLate(invoiceId: string, paymentTx: PaymentTx, parsed: ParsedPayment, now: number): Promise<void> {
    await this.#o.store.db
      .insertInto('merchant_attempts')
      .values({
        id: uuid(),
        invoice_id: invoiceId,
        txid: paymentTx.txid,
        raw_tx: paymentTx.tx.toHex(),
        refund_to: parsed.payment.refundTo ?? null,
        reason: 'PL2005',
        at: now,
      })
      .execute()
  }
}

/** Inserts refused by a winner that was then rejected: each round needs a new broadcaster verdict. */
const MAX_INSERT_ATTEMPTS = 5

function raceDefect(): never {
  throw new PaylinkError('PL9001', 'payment insert kept losing unique-index races')
}
