/**
 * The wallet's coins in the store. A coin is `available`, `reserved` by one payment, or `spent`.
 * Reservation is a guarded update (`where state = 'available'`) inside the transaction that
 * creates the payment, so two payments, in this process or another, never hold one coin. Each
 * coin keeps its source transaction as BEEF, so a Payment can carry its ancestry (§9).
 */
import { MerklePath, Transaction } from '@bsv/sdk'
import type { Clock } from '../core/clock.ts'
import type { Store, Tx } from '../store/index.ts'
import type { WalletCoinsTable } from '../store/schema.ts'

/** The wallet's balance in satoshis. */
export interface Balance {
  /** Spendable now. */
  available: number
  /** Held by payments whose outcome is not known yet. */
  reserved: number
  /** The part of `available` whose source transaction is not known to be mined. */
  unconfirmed: number
  /** How many coins are available. */
  coins: number
}

/** Records a coin (a second report of the same outpoint changes nothing). */
export async function addCoin(db: Store['db'] | Tx, coin: WalletCoinsTable): Promise<void> {
  await db
    .insertInto('wallet_coins')
    .values(coin)
    .onConflict((oc) => oc.columns(['txid', 'vout']).doNothing())
    .execute()
}

/** The balance of the coins in the store. */
export async function balanceOf(store: Store): Promise<Balance> {
  const rows = await store.db
    .selectFrom('wallet_coins')
    .select(['state', 'satoshis', 'confirmed'])
    .where('state', '<>', 'spent')
    .execute()
  const out: Balance = { available: 0, reserved: 0, unconfirmed: 0, coins: 0 }
  for (const row of rows) {
    if (row.state === 'reserved') out.reserved += Number(row.satoshis)
    if (row.state !== 'available') continue
    out.available += Number(row.satoshis)
    out.coins++
    if (row.confirmed === 0) out.unconfirmed += Number(row.satoshis)
  }
  return out
}

/** The available coins, largest first. */
export function availableCoins(db: Tx): Promise<WalletCoinsTable[]> {
  return db
    .selectFrom('wallet_coins')
    .selectAll()
    .where('state', '=', 'available')
    .orderBy('satoshis', 'desc')
    .execute()
}

/** Reserves `coins` for `paymentId`; false when another payment took one first (roll back then). */
export async function reserveCoins(
  db: Tx,
  coins: readonly WalletCoinsTable[],
  paymentId: string,
  now: number,
): Promise<boolean> {
  for (const coin of coins) {
    const done = await db
      .updateTable('wallet_coins')
      .set({ state: 'reserved', payment_id: paymentId, updated_at: now })
      .where('txid', '=', coin.txid)
      .where('vout', '=', coin.vout)
      .where('state', '=', 'available')
      .executeTakeFirst()
    if (done.numUpdatedRows !== 1n) return false
  }
  return true
}

/** Gives `paymentId`'s reserved coins back. */
export async function releaseCoins(db: Tx, paymentId: string, now: number): Promise<void> {
  await db
    .updateTable('wallet_coins')
    .set({ state: 'available', payment_id: null, updated_at: now })
    .where('payment_id', '=', paymentId)
    .where('state', '=', 'reserved')
    .execute()
}

/** Marks `paymentId`'s reserved coins spent. */
export async function spendCoins(db: Tx, paymentId: string, now: number): Promise<void> {
  await db
    .updateTable('wallet_coins')
    .set({ state: 'spent', updated_at: now })
    .where('payment_id', '=', paymentId)
    .where('state', '=', 'reserved')
    .execute()
}

/**
 * Attaches a verified merkle path to the coins made by `txid`: their BEEF then ends at that
 * transaction (its unconfirmed ancestors are no longer carried) and they count as confirmed.
 */
export async function confirmCoins(
  store: Store,
  txid: string,
  path: MerklePath,
  clock: Clock,
): Promise<void> {
  const coins = await store.db.selectFrom('wallet_coins').selectAll().where('txid', '=', txid).execute()
  for (const coin of coins) {
    const tx = Transaction.fromHexBEEF(coin.source_beef, txid)
    tx.merklePath = MerklePath.fromHex(path.toHex())
    await store.db
      .updateTable('wallet_coins')
      .set({ source_beef: tx.toHexBEEF(), confirmed: 1, updated_at: clock.now() })
      .where('txid', '=', coin.txid)
      .where('vout', '=', coin.vout)
      .execute()
  }
}
