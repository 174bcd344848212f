/**
 * Hash functions of Bitcoin and Amiko: SHA-256, double SHA-256, RIPEMD-160 and HASH160.
 * Pure (noble) so the browser bundle shares them; the Amiko transaction ID is
 * RIPEMD160(SHA256(token)) = `hash160(token)`.
 */
import { ripemd160 as nobleRipemd160 } from '@noble/hashes/legacy.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'

/** SHA-256. */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data)
}

/** SHA-256 applied twice: txids, block hashes, merkle nodes. */
export function sha256d(data: Uint8Array): Uint8Array {
  return nobleSha256(nobleSha256(data))
}

/** RIPEMD-160. */
export function ripemd160(data: Uint8Array): Uint8Array {
  return nobleRipemd160(data)
}

/** RIPEMD160(SHA256(data)): P2PKH key hashes and Amiko transaction IDs. */
export function hash160(data: Uint8Array): Uint8Array {
  return nobleRipemd160(nobleSha256(data))
}
