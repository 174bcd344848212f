/**
 * The devnet's two keys, created on first start and kept in the store: the miner key (block
 * rewards and fees; signs every mAPI JSONEnvelope, so its public key is the `minerId`) and the
 * faucet key (holds the genesis coins).
 */
import { PrivateKey } from '@bsv/sdk'
import type { Store } from '../store/index.ts'

export interface DevnetKeys {
  miner: PrivateKey
  faucet: PrivateKey
}

/** Loads the keys of `store`, creating any that are missing. */
export async function loadKeys(store: Store): Promise<DevnetKeys> {
  return { miner: await loadKey(store, 'miner_key'), faucet: await loadKey(store, 'faucet_key') }
}

async function loadKey(store: Store, name: string): Promise<PrivateKey> {
  const row = await store.db
    .selectFrom('devnet_meta')
    .select('value')
    .where('key', '=', name)
    .executeTakeFirst()
  if (row !== undefined) return PrivateKey.fromHex(row.value)
  const key = PrivateKey.fromRandom()
  await store.db
    .insertInto('devnet_meta')
    .values({ key: name, value: key.toHex() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
  // Another process may have won the race; the stored key is the one.
  return loadKey(store, name)
}
