/**
 * The merchant keys a relay accepts on its channel API (PROTOCOLS.md P4 §14.1): issued by the
 * operator (`--merchant-key`, or `paylink relay merchants add`), stored as SHA-256 hashes.
 */
import { randomToken } from '../core/ids.ts'
import type { Store } from '../store/index.ts'
import { hashSecret, secretMatches } from './secrets.ts'

/** Stores `key` (its hash); adding a known key changes nothing. */
export async function addMerchantKey(store: Store, key: string, now: number): Promise<void> {
  await store.db
    .insertInto('relay_merchant_keys')
    .values({ hash: hashSecret(key), created_at: now })
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute()
}

/** Creates, stores and returns a new merchant key (shown once by the CLI). */
export async function createMerchantKey(store: Store, now: number): Promise<string> {
  const key = randomToken()
  await addMerchantKey(store, key, now)
  return key
}

/** The stored key hashes. */
export async function loadMerchantKeyHashes(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('relay_merchant_keys').select('hash').execute()
  return rows.map((r) => r.hash)
}

/** The hash of the key `presented` matches (every hash compared), or undefined. */
export function matchMerchantKey(hashes: readonly string[], presented: string): string | undefined {
  let found: string | undefined
  for (const h of hashes) if (secretMatches(h, presented)) found = h
  return found
}
