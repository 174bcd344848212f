/**
 * Paying a presented request (protocols-p4.md §4–§6, §8, §9, §10 step 4):
 * 1. in one store transaction, plan the spend (largest coins first, the request's fee rule) and
 *    reserve its coins with a guarded update, creating the payment as `building`; a coin taken by
 *    a concurrent payment rolls the transaction back and the plan is made again;
 * 2. build and sign the transaction (change to a fresh derived key), store the Payment exactly
 *    as it will be sent (`sent`), and only then send it;
 * 3. settle by the answer: acked (coins spent, change kept), refused (coins released), or
 *    undecided (coins stay reserved; `retryPending` sends the same bytes again).
 */
import type { PrivateKey } from '@bsv/sdk'
import { sql } from 'kysely'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { randomId, randomToken } from '../core/ids.ts'
import { DEFAULT_FEE_RATES, toSatoshisPerKilobyte } from '../p4/fees.ts'
import type { ReadAck } from '../p4/payment-ack.ts'
import { inTransaction, type Store } from '../store/index.ts'
import type { WalletCoinsTable, WalletPaymentsTable } from '../store/schema.ts'
import { buildPaymentTx } from './build-payment-tx.ts'
import { type PlannedOutput, planSpend, type SpendPlan } from './coin-selection.ts'
import { availableCoins, reserveCoins } from './coins.ts'
import type { HttpOptions } from './http-request.ts'
import { paymentMessage } from './payment-message.ts'
import {
  markAcked,
  markFailed,
  markRefused,
  markSent,
  noteAttempt,
  paymentById,
  paymentsIn,
} from './payment-records.ts'
import type { PaymentState } from './payment-state.ts'
import type { Presentation } from './presentation.ts'
import { sendPayment } from './send-payment.ts'
import { nextKey } from './wallet-keys.ts'
import { isWebsocketUrl, sendPaymentOverWs } from './ws-send-payment.ts'

/** The PostgreSQL advisory lock key under which a wallet chooses and reserves coins ("plwa"). */
const COIN_PLANNING_LOCK = 0x706c7761

/** Options of one payment. */
export interface PayOptions {
  /**
   * Base URL of this wallet's proof server (`serveProofs().url`): the Payment's `proofCallbacks`
   * then names `{proofCallbackUrl}/proofs/{paymentId}` with a token of this payment.
   */
  proofCallbackUrl?: string
  /** The Payment's `refundTo` (paymail or address, ≤ 100 characters). */
  refundTo?: string
  /** The Payment's `memo` to the merchant (≤ 1000 characters). */
  memo?: string
}

/** How a payment stands after a send. */
export interface PayResult {
  id: string
  state: PaymentState
  txid: string
  /** The ACK of an acked payment. */
  ack?: ReadAck
  /** Refused: the host's reason code; undecided (`sent`): why no verdict yet. */
  reason?: string
  /** The ACK memo or the host's words. */
  memo?: string
}

/** What the payer needs. */
export interface PayerContext {
  store: Store
  clock: Clock
  master: PrivateKey
  http: HttpOptions
}

/** A reservation that lost a race to a concurrent payment; the plan is made again. */
class Contended extends Error {}

// `building` payments older than this were abandoned by a crash before they were sent.
const ABANDONED_MS = 60_000

export class Payer {
  readonly #c: PayerContext

  constructor(context: PayerContext) {
    this.#c = context
  }

  /** Pays `p`; throws `PL2009` when it has expired, `PL8004` when the coins do not cover it. */
  async pay(p: Presentation, o: PayOptions = {}): Promise<PayResult> {
    const { clock } = this.#c
    if (p.expiresAt !== undefined && p.expiresAt < clock.now()) {
      throw new PaylinkError('PL2009', 'the payment request has expired')
    }
    const id = randomId()
    const outputs = p.terms.outputs.map((out) => ({ script: out.script, amount: out.amount }))
    const plan = await this.#reserve(this.#newRow(id, p, o), outputs, p)
    let row: WalletPaymentsTable
    try {
      row = await this.#build(id, plan, outputs, p, o)
    } catch (err) {
      await markFailed(this.#c.store, id, err instanceof Error ? err.message : String(err), clock)
      throw err
    }
    return this.send(row)
  }

  /** Sends a `sent` payment's stored Payment and settles by the answer. */
  async send(row: WalletPaymentsTable): Promise<PayResult> {
    const { store, clock } = this.#c
    const message = { body: row.body!, contentType: row.content_type }
    const outcome = isWebsocketUrl(row.payment_url)
      ? await sendPaymentOverWs(row.uri, message, row.txid!, this.#c.http)
      : await sendPayment(row.payment_url, message, row.txid!, this.#c.http)
    let result: PayResult
    switch (outcome.kind) {
      case 'acked':
        await markAcked(store, row, outcome.body, clock)
        result = { id: row.id, txid: row.txid!, state: 'acked', ack: outcome.ack, memo: outcome.ack.memo }
        break
      case 'refused':
        await markRefused(store, row.id, outcome, clock)
        result = { id: row.id, txid: row.txid!, state: 'refused', reason: outcome.reason, memo: outcome.memo }
        break
      case 'undecided':
        await noteAttempt(store, row.id, outcome.detail, clock)
        result = { id: row.id, txid: row.txid!, state: 'sent', reason: outcome.detail }
    }
    // A concurrent send (a retry) may have settled it first: report what the store decided.
    const stored = await paymentById(store, row.id)
    return stored === undefined || stored.state === result.state ? result : { ...result, state: stored.state }
  }

  /** Re-sends every undecided payment; fails payments a crash left unbuilt. */
  async retryPending(): Promise<PayResult[]> {
    const { store, clock } = this.#c
    for (const row of await paymentsIn(store, 'building')) {
      if (row.created_at < clock.now() - ABANDONED_MS)
        await markFailed(store, row.id, 'abandoned before sending', clock)
    }
    const results: PayResult[] = []
    for (const row of await paymentsIn(store, 'sent')) results.push(await this.send(row))
    return results
  }

  #newRow(id: string, p: Presentation, o: PayOptions): WalletPaymentsTable {
    const now = this.#c.clock.now()
    const base = o.proofCallbackUrl?.replace(/\/+$/, '')
    return {
      id,
      uri: p.uri,
      payment_url: p.paymentUrl,
      dialect: p.dialect,
      memo: p.memo,
      merchant: p.merchant,
      satoshis: p.amount,
      fee: 0,
      expires_at: p.expiresAt ?? null,
      state: 'building',
      txid: null,
      raw_tx: null,
      beef: null,
      body: null,
      content_type: p.dialect === 'p4' ? 'application/json' : 'application/bitcoinsv-payment',
      ack: null,
      reason: null,
      callback_token: randomToken(),
      proof_callback_url: base === undefined ? null : `${base}/proofs/${id}`,
      attempts: 0,
      created_at: now,
      updated_at: now,
    }
  }

  /** Step 1: plan and reserve in one store transaction, again if a concurrent payment interferes. */
  async #reserve(
    row: WalletPaymentsTable,
    outputs: PlannedOutput[],
    p: Presentation,
  ): Promise<SpendPlan<WalletCoinsTable>> {
    const rate = toSatoshisPerKilobyte(p.terms.fees ?? DEFAULT_FEE_RATES)
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await inTransaction(this.#c.store, async (db) => {
          // Writing first takes SQLite's write lock before anything is read: a second process
          // waits for it (busy timeout), then reads the coins as the first one left them. On
          // PostgreSQL that insert locks nothing the others read, so the same order comes from a
          // transaction-scoped advisory lock held while the coins are chosen and reserved.
          if (this.#c.store.engine === 'postgres')
            await sql`select pg_advisory_xact_lock(${COIN_PLANNING_LOCK})`.execute(db)
          await db.insertInto('wallet_payments').values(row).execute()
          const coins = await availableCoins(db)
          const plan = await planSpend(coins, outputs, rate)
          if (plan === undefined) throw notEnough(coins, p.amount)
          if (!(await reserveCoins(db, plan.coins, row.id, row.created_at))) throw new Contended()
          await db.updateTable('wallet_payments').set({ fee: plan.fee }).where('id', '=', row.id).execute()
          return plan
        })
      } catch (err) {
        if (!(err instanceof Contended)) throw err
      }
    }
    throw new PaylinkError('PL8004', 'coins kept being taken by concurrent payments; try again')
  }

  /** Step 2: sign, then store the Payment as it will be sent. */
  async #build(
    id: string,
    plan: SpendPlan<WalletCoinsTable>,
    outputs: PlannedOutput[],
    p: Presentation,
    o: PayOptions,
  ): Promise<WalletPaymentsTable> {
    const { store, clock, master } = this.#c
    const change = plan.change > 0 ? await nextKey(store, master, 'change', clock) : undefined
    const tx = await buildPaymentTx(
      master,
      plan,
      outputs,
      change && { satoshis: plan.change, script: change.script },
    )
    const row = await store.db
      .selectFrom('wallet_payments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    const message = paymentMessage(p.dialect, {
      merchantData: p.merchantData,
      rawTx: tx.toHex(),
      ancestry: tx.toHexBEEF(),
      ...(row.proof_callback_url === null
        ? {}
        : { proofCallbacks: { [row.proof_callback_url]: { token: row.callback_token } } }),
      ...(o.refundTo === undefined ? {} : { refundTo: o.refundTo }),
      ...(o.memo === undefined ? {} : { memo: o.memo }),
    })
    const parts = { txid: tx.id('hex'), raw_tx: tx.toHex(), beef: tx.toHexBEEF(), body: message.body }
    await markSent(store, id, parts, clock)
    return { ...row, ...parts, state: 'sent' }
  }
}

function notEnough(coins: readonly WalletCoinsTable[], amount: number): PaylinkError {
  const have = coins.reduce((n, c) => n + Number(c.satoshis), 0)
  return new PaylinkError(
    'PL8004',
    `not enough coins: ${amount} satoshis and the fee asked, ${have} available (reserved coins not counted)`,
  )
}
