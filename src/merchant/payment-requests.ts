/**
 * Serving PaymentRequests (PROTOCOLS.md P4 §4 GET, §5, §6, §8). The terms are stored with the
 * invoice when first served; every GET returns the same body while their fee quote is valid,
 * and after it expires the next GET re-quotes `fees` and restamps `creationTimestamp`. Outputs,
 * `paymentUrl`, `merchantData` and `expirationTimestamp` never change. The quote inside the
 * served request is the one a Payment is held to ("published = enforced").
 */
import { z } from 'zod'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { type FeeRates, feeRatesSchema } from '../p4/fees.ts'
import type { MerchantDetails } from '../p4/merchant.ts'
import type { P4Network, PaymentTerms } from '../p4/payment-terms.ts'
import type { Store } from '../store/index.ts'
import type { MerchantInvoicesTable } from '../store/schema.ts'
import type { FeeQuotes } from './fee-quotes.ts'
import { loadInvoice } from './invoice-row.ts'
import { effectiveState } from './invoice-state.ts'

/** What is stored of a served request: when it was stamped and the quote it carries. */
const servedSchema = z.object({
  creationTimestamp: z.number(),
  fees: feeRatesSchema,
  quoteExpiresAt: z.number(),
})
export type Served = z.infer<typeof servedSchema>

export interface PaymentRequestOptions {
  store: Store
  clock: Clock
  quotes: FeeQuotes
  network: P4Network
  merchant: MerchantDetails
}

/** Reads the stored request of an invoice row (parsed at the trust boundary: the store). */
export function servedOf(row: MerchantInvoicesTable): Served | undefined {
  return row.request === null ? undefined : servedSchema.parse(JSON.parse(row.request))
}

/** The dialect-free terms of an invoice with a served request. */
export function termsOf(
  row: MerchantInvoicesTable,
  served: Served,
  opts: { network: P4Network; merchant: MerchantDetails },
): PaymentTerms {
  return {
    network: opts.network,
    outputs: [{ amount: row.satoshis, script: row.script }],
    creationTimestamp: served.creationTimestamp,
    expirationTimestamp: row.expires_at,
    memo: row.description.slice(0, 50),
    paymentUrl: row.payment_url,
    paymentId: row.id,
    merchant: opts.merchant,
    fees: served.fees,
    spvRequired: row.spv_required === 1,
  }
}

export class PaymentRequests {
  readonly #o: PaymentRequestOptions

  constructor(options: PaymentRequestOptions) {
    this.#o = options
  }

  /**
   * The terms to serve for invoice `id`: 404 `PL1010` unknown, 422 `PL2009` expired, 422
   * `PL2008` cancelled; a paid invoice still serves its request.
   */
  async terms(id: string): Promise<PaymentTerms> {
    const row = await loadInvoice(this.#o.store, id)
    const now = this.#o.clock.now()
    const state = effectiveState(row.state, row.expires_at, now)
    if (state === 'expired') throw new PaylinkError('PL2009', 'the payment request has expired')
    if (state === 'cancelled') throw new PaylinkError('PL2008', 'the invoice was cancelled')
    let served = servedOf(row)
    if (served === undefined || (state === 'pending' && now >= served.quoteExpiresAt)) {
      served = await this.#stamp(row, now)
    }
    return termsOf(row, served, this.#o)
  }

  /**
   * Stores a new quote unless another GET (here or on another merchant instance) stamped the
   * request first: the update is guarded by the request it replaces, and the loser serves the
   * winner's, so every customer is held to the request the store has.
   */
  async #stamp(row: MerchantInvoicesTable, now: number): Promise<Served> {
    const quote = await this.#o.quotes.current()
    const served: Served = { creationTimestamp: now, fees: quote.rates, quoteExpiresAt: quote.expiresAt }
    const stamped = await this.#o.store.db
      .updateTable('merchant_invoices')
      .set({ request: JSON.stringify(served), updated_at: now })
      .where('id', '=', row.id)
      .where((eb) => (row.request === null ? eb('request', 'is', null) : eb('request', '=', row.request)))
      .executeTakeFirst()
    if (stamped.numUpdatedRows > 0n) return served
    return servedOf(await loadInvoice(this.#o.store, row.id)) ?? served
  }

  /** The current quote's rates, for the "expired quote, does the new one demand more" rule. */
  async currentRates(): Promise<FeeRates> {
    return (await this.#o.quotes.current()).rates
  }
}
