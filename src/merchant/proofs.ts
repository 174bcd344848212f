/**
 * Merkle proofs to both parties (PROTOCOLS.md P4 §13): the merchant's proof sink
 * `POST /api/v1/proofs/{txid}?i={paymentId}` takes the broadcaster's callback (bearer = the
 * payment's random callback token), verifies the proof against the headers before storing it,
 * marks the payment `mined`, and queues the ProofEnvelope for every `proofCallbacks` URL of the
 * Payment, in the same store transaction. Deliveries retry with back-off (1 s × 2ⁿ, capped at
 * 10 min, at most 10 attempts). The same proof again changes nothing.
 */
import { MerklePath } from '@bsv/sdk'
import type { Broadcaster } from '../chain/broadcast-result.ts'
import type { HeaderSource } from '../chain/headers-client.ts'
import { type CallbackEvent, readCallback, verifyProof } from '../chain/proof-callback.ts'
import { proofEnvelope } from '../chain/proof-envelope.ts'
import { constantTimeEqual, utf8ToBytes } from '../core/bytes.ts'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { uuid } from '../core/ids.ts'
import type { ProofCallbacks } from '../p4/proof-callbacks.ts'
import { DeliveryQueue, type DeliveryTable } from '../store/delivery-queue.ts'
import { inTransaction, type Store } from '../store/index.ts'
import type { MerchantPaymentsTable } from '../store/schema.ts'
import { crashPoint } from './crash-point.ts'

export interface ProofsOptions {
  store: Store
  clock: Clock
  headers: HeaderSource
  /** Delivery tuning (tests shorten it). */
  retryBaseMs?: number
  pollMs?: number
}

const FAILED_STATUSES = new Set(['REJECTED', 'DOUBLE_SPEND_ATTEMPTED', 'doubleSpend'])

/** How a proof reached the merchant: its own sink, the relay channel, or polling the broadcaster. */
export type ProofSource = 'callback' | 'relay' | 'poll'

/** A proof just stored (a new one, not the same again). */
export interface StoredProof {
  invoiceId: string
  txid: string
  /** The ProofEnvelope (§13) as delivered to `proofCallbacks`. */
  envelope: unknown
  source: ProofSource
}

export class Proofs {
  readonly #o: ProofsOptions
  readonly deliveries: DeliveryQueue
  /** Called after each new proof is stored (the relay link publishes it and closes the channel). */
  onStored: ((proof: StoredProof) => void) | undefined

  constructor(options: ProofsOptions) {
    this.#o = options
    this.deliveries = new DeliveryQueue(deliveriesTable(options.store), {
      now: () => options.clock.now(),
      retryBaseMs: options.retryBaseMs ?? 1000,
      retryMaxMs: 600_000,
      maxAttempts: 10,
      pollMs: options.pollMs ?? 500,
    })
  }

  /** Handles one callback for `txid` of payment `invoiceId`, authenticated by `token`. */
  async receive(invoiceId: string, txid: string, token: string, body: unknown): Promise<void> {
    const payment = await this.#payment(invoiceId, txid)
    if (!constantTimeEqual(utf8ToBytes(token), utf8ToBytes(payment.callback_token))) {
      throw new PaylinkError('PL6001', 'proof callback without the right token')
    }
    await this.#apply(payment, body, 'callback')
  }

  /**
   * Handles a `proof.create` from the relay channel of `invoiceId` (models 2 and 3): the channel
   * is the authentication; the ProofEnvelope is verified against the headers like a callback.
   */
  async receiveFromRelay(invoiceId: string, txid: string, body: unknown): Promise<void> {
    await this.#apply(await this.#payment(invoiceId, txid), body, 'relay')
  }

  async #apply(payment: MerchantPaymentsTable, body: unknown, source: ProofSource): Promise<void> {
    for (const event of readCallback(body)) {
      if (event.txid !== payment.txid)
        throw new PaylinkError('PL6003', `callback is for ${event.txid}, not ${payment.txid}`)
      if (event.kind === 'proof') await this.#store(payment, event, source)
      else if (FAILED_STATUSES.has(event.status)) await this.#failed(payment)
    }
  }

  async #payment(invoiceId: string, txid: string): Promise<MerchantPaymentsTable> {
    const row = await this.#o.store.db
      .selectFrom('merchant_payments')
      .selectAll()
      .where('invoice_id', '=', invoiceId)
      .where('txid', '=', txid.toLowerCase())
      .executeTakeFirst()
    if (row === undefined) throw new PaylinkError('PL1010', `no payment ${txid} for invoice ${invoiceId}`)
    return row
  }

  async #store(
    payment: MerchantPaymentsTable,
    event: Extract<CallbackEvent, { kind: 'proof' }>,
    source: ProofSource,
  ): Promise<void> {
    const proof = await verifyProof(event, payment.txid, this.#o.headers)
    crashPoint('proof-received')
    const merklePath = proof.path.toHex()
    if (payment.merkle_path === merklePath) return
    const now = this.#o.clock.now()
    const body = JSON.stringify(
      proofEnvelope(payment.txid, proof.path, proof.blockHash, proof.blockHeight, now),
    )
    const callbacks: ProofCallbacks =
      payment.proof_callbacks === null ? {} : JSON.parse(payment.proof_callbacks)
    const isNew = await inTransaction(this.#o.store, async (db) => {
      // The guard decides between the same proof arriving twice at once (the broadcaster calling
      // back both merchant instances, a callback and a poll): on PostgreSQL the second update
      // waits for the first's row lock and then finds the path already there.
      const stored = await db
        .updateTable('merchant_payments')
        .set({
          block_hash: proof.blockHash,
          block_height: proof.blockHeight,
          merkle_path: merklePath,
          updated_at: now,
        })
        .where('id', '=', payment.id)
        .where((eb) => eb.or([eb('merkle_path', 'is', null), eb('merkle_path', '<>', merklePath)]))
        .executeTakeFirst()
      if (stored.numUpdatedRows === 0n) return false
      await db
        .updateTable('merchant_payments')
        .set({ state: 'mined' })
        .where('id', '=', payment.id)
        .where('state', '<>', 'rejected')
        .execute()
      for (const [url, { token }] of Object.entries(callbacks)) {
        await db
          .insertInto('merchant_proof_deliveries')
          .values({
            id: uuid(),
            payment_id: payment.id,
            url,
            token,
            body,
            attempts: 0,
            next_attempt_at: now,
            state: 'pending',
          })
          // A later proof (after a reorg) replaces the one not yet delivered and is delivered again.
          .onConflict((oc) =>
            oc
              .columns(['payment_id', 'url'])
              .doUpdateSet({ body, attempts: 0, next_attempt_at: now, state: 'pending' }),
          )
          .execute()
      }
      return true
    })
    if (!isNew) return
    this.deliveries.kick()
    this.onStored?.({ invoiceId: payment.invoice_id, txid: payment.txid, envelope: JSON.parse(body), source })
  }

  /**
   * The fallback of §13: asks the broadcaster about every broadcast payment still without a
   * proof (received in the last 24 h) and stores the proofs it gives, verified as callbacks are.
   * Returns how many proofs were stored.
   */
  async poll(broadcaster: Broadcaster): Promise<number> {
    const since = this.#o.clock.now() - 24 * 60 * 60 * 1000
    const waiting = await this.#o.store.db
      .selectFrom('merchant_payments')
      .selectAll()
      .where('state', '=', 'broadcast')
      .where('received_at', '>', since)
      .execute()
    let stored = 0
    for (const payment of waiting) {
      try {
        const status = await broadcaster.status(payment.txid)
        if (status?.mined !== true) continue
        const block = {
          ...(status.blockHash === undefined ? {} : { blockHash: status.blockHash }),
          ...(status.blockHeight === undefined ? {} : { blockHeight: status.blockHeight }),
        }
        if (status.merklePath !== undefined)
          await this.#store(
            payment,
            { kind: 'proof', txid: payment.txid, bump: status.merklePath, ...block },
            'poll',
          )
        else if (status.proof !== undefined)
          await this.#store(
            payment,
            { kind: 'proof', txid: payment.txid, tsc: status.proof, ...block },
            'poll',
          )
        else continue
        stored++
      } catch {
        // This payment's proof is asked for again at the next poll.
      }
    }
    return stored
  }

  /** Proofs stored for invoices whose relay channel is still open (to be published and closed). */
  async storedForOpenChannels(): Promise<Omit<StoredProof, 'source'>[]> {
    const rows = await this.#o.store.db
      .selectFrom('merchant_payments')
      .innerJoin('merchant_channels', 'merchant_channels.invoice_id', 'merchant_payments.invoice_id')
      .select([
        'merchant_payments.invoice_id',
        'merchant_payments.txid',
        'merchant_payments.merkle_path',
        'merchant_payments.block_hash',
        'merchant_payments.block_height',
      ])
      .where('merchant_channels.state', '=', 'open')
      .where('merchant_payments.state', '=', 'mined')
      .execute()
    const now = this.#o.clock.now()
    return rows.flatMap((r) =>
      r.merkle_path === null || r.block_hash === null || r.block_height === null
        ? []
        : [
            {
              invoiceId: r.invoice_id,
              txid: r.txid,
              envelope: proofEnvelope(
                r.txid,
                MerklePath.fromHex(r.merkle_path),
                r.block_hash,
                r.block_height,
                now,
              ),
            },
          ],
    )
  }

  /** A broadcaster's late REJECTED / double spend: the payment fails; the invoice stays `paid`. */
  async #failed(payment: MerchantPaymentsTable): Promise<void> {
    await this.#o.store.db
      .updateTable('merchant_payments')
      .set({ state: 'rejected', updated_at: this.#o.clock.now() })
      .where('id', '=', payment.id)
      .where('state', 'in', ['accepted', 'broadcast'])
      .execute()
  }
}

function deliveriesTable(store: Store): DeliveryTable {
  return {
    due: async (now, limit) => {
      const rows = await store.db
        .selectFrom('merchant_proof_deliveries')
        .select(['id', 'url', 'token', 'body', 'attempts'])
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute()
      return rows.map((r) => ({ ...r, authorization: r.token === '' ? '' : `Bearer ${r.token}` }))
    },
    claim: async (id, o) => {
      const claimed = await store.db
        .updateTable('merchant_proof_deliveries')
        .set({ next_attempt_at: o.leaseUntil })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('attempts', '=', o.attempts)
        .where('next_attempt_at', '<=', o.now)
        .executeTakeFirst()
      return claimed.numUpdatedRows > 0n
    },
    settle: async (id, o) => {
      await store.db
        .updateTable('merchant_proof_deliveries')
        .set({ state: o.state, attempts: o.attempts, next_attempt_at: o.nextAttemptAt })
        .where('id', '=', id)
        .execute()
    },
  }
}
