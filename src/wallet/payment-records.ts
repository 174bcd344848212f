/**
 * The wallet's payments in the store, each change a guarded update that follows
 * `payment-state.ts` (`where state in` the states that may reach the new one), so a payment is
 * decided once even when a re-send and a retry race. Deciding a payment moves its coins in the
 * same store transaction: acked → spent, with the outputs paying the wallet's own keys (change)
 * recorded as new coins; refused or failed → released.
 */
import { Transaction } from '@bsv/sdk'
import type { Clock } from '../core/clock.ts'
import { inTransaction, type Store, type Tx } from '../store/index.ts'
import type { WalletPaymentsTable } from '../store/schema.ts'
import { addCoin, releaseCoins, spendCoins } from './coins.ts'
import { type PaymentState, sourcesOf } from './payment-state.ts'

/** The transaction parts stored when a payment leaves `building`. */
export interface SentParts {
  txid: string
  raw_tx: string
  beef: string
  body: string
}

/** Moves `id` to `to` with `set`; false when the payment was not in a state that may reach `to`. */
async function move(
  db: Store['db'] | Tx,
  id: string,
  to: PaymentState,
  set: Partial<WalletPaymentsTable>,
): Promise<boolean> {
  const done = await db
    .updateTable('wallet_payments')
    .set({ ...set, state: to })
    .where('id', '=', id)
    .where('state', 'in', sourcesOf(to))
    .executeTakeFirst()
  return done.numUpdatedRows === 1n
}

/** `building` → `sent`: the Payment is stored before it leaves the process. */
export async function markSent(store: Store, id: string, parts: SentParts, clock: Clock): Promise<void> {
  await move(store.db, id, 'sent', { ...parts, updated_at: clock.now() })
}

/** `building` → `failed` (never sent): its coins are released. */
export async function markFailed(store: Store, id: string, reason: string, clock: Clock): Promise<void> {
  const now = clock.now()
  await inTransaction(store, async (db) => {
    if (await move(db, id, 'failed', { reason, updated_at: now })) await releaseCoins(db, id, now)
  })
}

/** `sent` → `acked`: coins spent, change recorded as unconfirmed coins carrying the payment's BEEF. */
export async function markAcked(
  store: Store,
  row: WalletPaymentsTable,
  ack: unknown,
  clock: Clock,
): Promise<void> {
  const now = clock.now()
  await inTransaction(store, async (db) => {
    if (!(await move(db, row.id, 'acked', { ack: JSON.stringify(ack), reason: null, updated_at: now })))
      return
    await spendCoins(db, row.id, now)
    await recordChange(db, row, now)
  })
}

/** `sent` → `refused`: the host's reason kept, coins released. */
export async function markRefused(
  store: Store,
  id: string,
  refusal: { reason: string; body: unknown },
  clock: Clock,
): Promise<void> {
  const now = clock.now()
  await inTransaction(store, async (db) => {
    const set = { reason: refusal.reason, ack: JSON.stringify(refusal.body ?? null), updated_at: now }
    if (await move(db, id, 'refused', set)) await releaseCoins(db, id, now)
  })
}

/** Counts a send that ended undecided, keeping why. */
export async function noteAttempt(store: Store, id: string, detail: string, clock: Clock): Promise<void> {
  await store.db
    .updateTable('wallet_payments')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), reason: detail, updated_at: clock.now() }))
    .where('id', '=', id)
    .where('state', '=', 'sent')
    .execute()
}

/** One payment by id. */
export function paymentById(store: Store, id: string): Promise<WalletPaymentsTable | undefined> {
  return store.db.selectFrom('wallet_payments').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Payments in `state`, oldest first. */
export function paymentsIn(store: Store, state: PaymentState): Promise<WalletPaymentsTable[]> {
  return store.db
    .selectFrom('wallet_payments')
    .selectAll()
    .where('state', '=', state)
    .orderBy('created_at')
    .execute()
}

/** Records every output of the payment that pays one of the wallet's keys. */
async function recordChange(db: Tx, row: WalletPaymentsTable, now: number): Promise<void> {
  if (row.beef === null || row.txid === null) return
  const tx = Transaction.fromHexBEEF(row.beef, row.txid)
  const scripts = tx.outputs.map((o) => o.lockingScript.toHex())
  const keys = await db.selectFrom('wallet_keys').selectAll().where('script', 'in', scripts).execute()
  for (const key of keys) {
    const vout = scripts.indexOf(key.script)
    await addCoin(db, {
      txid: row.txid,
      vout,
      satoshis: tx.outputs[vout]!.satoshis ?? 0,
      script: key.script,
      key_index: key.key_index,
      state: 'available',
      payment_id: null,
      source_beef: row.beef,
      confirmed: 0,
      created_at: now,
      updated_at: now,
    })
  }
}
