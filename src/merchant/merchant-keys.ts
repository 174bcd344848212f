/**
 * The merchant's keys. A master key, created on first start and kept in the store, from which
 * every invoice's destination key is derived with BRC-42 (the master key as its own
 * counterparty, invoice number `paylink invoice {id}`): any destination key is recoverable from
 * the master key and the invoice record alone, and destinations are never reused.
 */
import { P2PKH, PrivateKey } from '@bsv/sdk'
import type { Store } from '../store/index.ts'

const MASTER = 'master_key'

/** Loads the master key, creating it on first use. */
export async function loadMasterKey(store: Store): Promise<PrivateKey> {
  const row = await store.db
    .selectFrom('merchant_meta')
    .select('value')
    .where('key', '=', MASTER)
    .executeTakeFirst()
  if (row !== undefined) return PrivateKey.fromHex(row.value)
  await store.db
    .insertInto('merchant_meta')
    .values({ key: MASTER, value: PrivateKey.fromRandom().toHex() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
  return loadMasterKey(store)
}

/** The private key of an invoice's destination. */
export function destinationKey(master: PrivateKey, invoiceId: string): PrivateKey {
  return master.deriveChild(master.toPublicKey(), `paylink invoice ${invoiceId}`)
}

/** The P2PKH locking script (hex) of an invoice's destination. */
export function destinationScript(master: PrivateKey, invoiceId: string): string {
  return new P2PKH().lock(destinationKey(master, invoiceId).toPublicKey().toHash()).toHex()
}
