/**
 * Step 12 of the validation algorithm (PROTOCOLS.md P4 §10, §12): broadcast a stored payment and
 * settle its outcome durably before answering. Accepted → payment `broadcast`, invoice `paid`,
 * ACK `error` 0 stored, 201. Rejected → payment `rejected`, ACK `error` 1 stored (final), invoice
 * still `pending`, 422. Undecided or broadcaster down → the payment stays `accepted`, 503 with
 * `Retry-After`; `retryAccepted` broadcasts such payments again (also after a restart), and a
 * re-sent identical Payment runs this step again. Both ARC and mAPI take a resubmission as
 * success, so broadcasting twice is harmless; the stored ACK is decided once (guarded update).
 */

import type { Logger } from 'pino'
import type { Broadcaster, BroadcastResult } from '../chain/broadcast-result.ts'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { bip270Ack, p4Ack } from '../p4/payment-ack.ts'
import { bip270MerchantData } from '../p4/payment-request.ts'
import { inTransaction, type Store } from '../store/index.ts'
import type { MerchantPaymentsTable } from '../store/schema.ts'
import { crashPoint } from './crash-point.ts'
import type { AckAnswer } from './payments.ts'

export interface BroadcastStepOptions {
  store: Store
  clock: Clock
  broadcaster: Broadcaster
  /** mAPI takes only raw transactions; ARC takes the BEEF the customer sent. */
  takesBeef: boolean
  /**
   * Where the broadcaster calls back: `{publicUrl}/api/v1/proofs/{txid}?i={paymentId}`; undefined
   * for a merchant with no listening port (relay only).
   */
  publicUrl: string | undefined
  /** The relay's proof sink of the invoice's channel (models 2 and 3), registered as well. */
  relaySink?: (invoiceId: string, txid: string) => Promise<ProofSink | undefined>
  logger?: Logger
}

/** A callback URL and its bearer token, as registered with the broadcaster. */
export interface ProofSink {
  url: string
  token: string
}

export class BroadcastStep {
  readonly #o: BroadcastStepOptions

  constructor(options: BroadcastStepOptions) {
    this.#o = options
  }

  /** Broadcasts `row` and answers with the stored ACK, or throws the undecided 503. */
  async run(row: MerchantPaymentsTable): Promise<AckAnswer> {
    const body = this.#o.takesBeef ? row.broadcast_body : row.raw_tx
    const [first, ...others] = await this.#sinks(row)
    const result = await this.#o.broadcaster.broadcast(
      body,
      first === undefined ? {} : { callbackUrl: first.url, callbackToken: first.token },
    )
    crashPoint('broadcast')
    if (result.status === 'undecided') throw new PaylinkError(result.code, result.detail)
    // ARC and mAPI register one callback per submission: the same transaction again adds the
    // next one. Best effort: a proof that does not call back is still found by polling (§13).
    for (const sink of result.status === 'accepted' ? others : []) {
      await this.#o.broadcaster
        .broadcast(body, { callbackUrl: sink.url, callbackToken: sink.token })
        .catch((err: unknown) =>
          this.#o.logger?.warn({ err, txid: row.txid }, 'second callback not registered'),
        )
    }
    await this.#settle(row, result)
    const stored = await this.#o.store.db
      .selectFrom('merchant_payments')
      .select(['ack', 'ack_status'])
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow()
    return { status: stored.ack_status!, body: stored.ack! }
  }

  /** The relay's sink first when there is one (a merchant behind NAT has only that), then ours. */
  async #sinks(row: MerchantPaymentsTable): Promise<ProofSink[]> {
    const relay = await this.#o.relaySink?.(row.invoice_id, row.txid)
    const own =
      this.#o.publicUrl === undefined
        ? undefined
        : {
            url: `${this.#o.publicUrl}/api/v1/proofs/${row.txid}?i=${row.invoice_id}`,
            token: row.callback_token,
          }
    return [relay, own].filter((s): s is ProofSink => s !== undefined)
  }

  /** Stores the decided outcome once: a concurrent run that lost the race changes nothing. */
  async #settle(
    row: MerchantPaymentsTable,
    result: Exclude<BroadcastResult, { status: 'undecided' }>,
  ): Promise<void> {
    const now = this.#o.clock.now()
    const accepted = result.status === 'accepted'
    const verdict = accepted
      ? { memo: row.overpaid > 0 ? `overpaid by ${row.overpaid} satoshis` : '', error: 0 }
      : { memo: result.detail, error: 1, reason: result.code }
    const ack =
      row.dialect === 'p4'
        ? p4Ack({ ...verdict, paymentId: row.invoice_id, txid: row.txid })
        : bip270Ack({ ...verdict, payment: this.#bip270Echo(row) })
    await inTransaction(this.#o.store, async (db) => {
      const updated = await db
        .updateTable('merchant_payments')
        .set({
          state: accepted ? 'broadcast' : 'rejected',
          ack: JSON.stringify(ack),
          ack_status: accepted ? 201 : 422,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .where('ack', 'is', null)
        .executeTakeFirst()
      if (!accepted || updated.numUpdatedRows === 0n) return
      await db
        .updateTable('merchant_invoices')
        .set({ state: 'paid', updated_at: now })
        .where('id', '=', row.invoice_id)
        .where('state', '=', 'pending')
        .execute()
    })
  }

  /** BIP270's ACK carries the Payment as received, re-serialised. */
  #bip270Echo(row: MerchantPaymentsTable): Record<string, unknown> {
    const echo: Record<string, unknown> = {
      merchantData: bip270MerchantData(row.invoice_id),
      transaction: row.raw_tx,
    }
    if (row.refund_to !== null) echo['refundTo'] = row.refund_to
    if (row.memo !== null) echo['memo'] = row.memo
    return echo
  }

  /** Broadcasts every payment still `accepted` (undecided): at start and periodically. */
  async retryAccepted(): Promise<number> {
    const rows = await this.#o.store.db
      .selectFrom('merchant_payments')
      .selectAll()
      .where('state', '=', 'accepted')
      .execute()
    let settled = 0
    for (const row of rows) {
      try {
        await this.run(row)
        settled++
      } catch {
        // Still undecided: the next round tries again.
      }
    }
    return settled
  }
}
