/**
 * Admin API keys (PROTOCOLS.md P4 §3): kept as SHA-256 hashes, compared in constant time.
 * A key given on the command line is added; with none given and none stored, one is generated
 * and returned once so the CLI can print it.
 */
import { bytesToHex, constantTimeEqual, hexToBytes, utf8ToBytes } from '../core/bytes.ts'
import { sha256 } from '../core/hash.ts'
import { randomToken } from '../core/ids.ts'
import type { Store } from '../store/index.ts'

const PREFIX = 'api_key:'

function hashOf(key: string): string {
  return bytesToHex(sha256(utf8ToBytes(key)))
}

/**
 * Makes sure the store knows an API key: adds `given` when present; otherwise, when no key is
 * stored yet, creates one. Returns the key in clear only when it was just created.
 */
export async function ensureApiKey(store: Store, given?: string): Promise<string | undefined> {
  if (given !== undefined && given !== '') {
    await addKey(store, given)
    return undefined
  }
  const existing = await store.db
    .selectFrom('merchant_meta')
    .select('key')
    .where('key', 'like', `${PREFIX}%`)
    .executeTakeFirst()
  if (existing !== undefined) return undefined
  const key = randomToken()
  await addKey(store, key)
  return key
}

async function addKey(store: Store, key: string): Promise<void> {
  const hash = hashOf(key)
  await store.db
    .insertInto('merchant_meta')
    .values({ key: `${PREFIX}${hash}`, value: hash })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
}

/** The hashes of every stored key, for `ApiKeyCheck`. */
export async function loadApiKeyHashes(store: Store): Promise<Uint8Array[]> {
  const rows = await store.db
    .selectFrom('merchant_meta')
    .select('value')
    .where('key', 'like', `${PREFIX}%`)
    .execute()
  return rows.map((r) => hexToBytes(r.value))
}

/** Whether a bearer token is one of the keys (every hash compared, in constant time). */
export function apiKeyMatches(hashes: readonly Uint8Array[], presented: string): boolean {
  const candidate = sha256(utf8ToBytes(presented))
  let match = false
  for (const h of hashes) match = constantTimeEqual(h, candidate) || match
  return match
}
