/**
 * The wallet's keys. One master key, created by `init` and kept in the store; every receive and
 * change key is derived from it with BRC-42 (the master key as its own counterparty, invoice
 * number `paylink wallet key {index}`), as the merchant derives its destinations. A key is
 * recoverable from the master key and its index alone, and each index is used for one address.
 */
import { P2PKH, PrivateKey } from '@bsv/sdk'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import type { P4Network } from '../p4/payment-terms.ts'
import { isUniqueViolation, type Store } from '../store/index.ts'
import type { WalletKeysTable } from '../store/schema.ts'

const MASTER = 'master_key'
const NETWORK = 'network'

/** What a wallet's store says about it. */
export interface WalletIdentity {
  master: PrivateKey
  network: P4Network
}

/** The wallet's master key and network, or undefined when the store holds no wallet. */
export async function loadIdentity(store: Store): Promise<WalletIdentity | undefined> {
  const rows = await store.db.selectFrom('wallet_meta').selectAll().execute()
  const master = rows.find((r) => r.key === MASTER)?.value
  if (master === undefined) return undefined
  const network = (rows.find((r) => r.key === NETWORK)?.value ?? 'regtest') as P4Network
  return { master: PrivateKey.fromHex(master), network }
}

/** Creates the wallet (master key, network) unless one exists; returns whether it created one. */
export async function createIdentity(store: Store, network: P4Network): Promise<boolean> {
  try {
    await store.db
      .insertInto('wallet_meta')
      .values([
        { key: MASTER, value: PrivateKey.fromRandom().toHex() },
        { key: NETWORK, value: network },
      ])
      .execute()
    return true
  } catch (err) {
    if (isUniqueViolation(err)) return false
    throw err
  }
}

/** The private key of index `index`. */
export function keyAt(master: PrivateKey, index: number): PrivateKey {
  return master.deriveChild(master.toPublicKey(), `paylink wallet key ${index}`)
}

/** The address of a key: testnet prefix on every network but `bitcoin-sv`. */
export function addressOf(key: PrivateKey, network: P4Network): string {
  return key.toAddress(network === 'bitcoin-sv' ? 'mainnet' : 'testnet')
}

/** The P2PKH locking script (hex) of a key. */
export function scriptOf(key: PrivateKey): string {
  return new P2PKH().lock(key.toPublicKey().toHash()).toHex()
}

/** Derives and records the next key for `purpose`; concurrent callers each get their own index. */
export async function nextKey(
  store: Store,
  master: PrivateKey,
  purpose: WalletKeysTable['purpose'],
  clock: Clock,
): Promise<WalletKeysTable> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const last = await store.db
      .selectFrom('wallet_keys')
      .select((eb) => eb.fn.max('key_index').as('max'))
      .executeTakeFirst()
    const index = last?.max == null ? 0 : Number(last.max) + 1
    const row = { key_index: index, purpose, script: scriptOf(keyAt(master, index)), created_at: clock.now() }
    try {
      await store.db.insertInto('wallet_keys').values(row).execute()
      return row
    } catch (err) {
      if (!isUniqueViolation(err)) throw err
    }
  }
  throw new PaylinkError('PL8003', 'could not allocate a wallet key index')
}

/** The newest receive key that no coin pays yet, or a new one. */
export async function receiveKey(store: Store, master: PrivateKey, clock: Clock): Promise<WalletKeysTable> {
  const unused = await store.db
    .selectFrom('wallet_keys')
    .selectAll()
    .where('purpose', '=', 'receive')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('wallet_coins')
            .select('txid')
            .whereRef('wallet_coins.key_index', '=', 'wallet_keys.key_index'),
        ),
      ),
    )
    .orderBy('key_index', 'desc')
    .executeTakeFirst()
  return unused ?? nextKey(store, master, 'receive', clock)
}
