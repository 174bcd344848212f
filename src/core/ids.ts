/**
 * Identifiers and tokens (PROTOCOLS.md conventions): ids we mint are 22 characters of
 * `[A-Za-z0-9]` (≈131 bits), tokens are 32 random bytes as base64url without padding.
 * Uses Web Crypto (`globalThis.crypto`), present in Node 20 and browsers.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Cryptographically random bytes. */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length)
  globalThis.crypto.getRandomValues(out)
  return out
}

/** A random id of `length` base62 characters, by rejection sampling (no modulo bias). */
export function randomId(length = 22): string {
  let out = ''
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62]
    }
  }
  return out
}

/** Accepted shape of ids from others: `[A-Za-z0-9]{6,64}`. */
export const ID_PATTERN = /^[A-Za-z0-9]{6,64}$/

/** A 32-byte random token, base64url without padding (43 characters). */
export function randomToken(): string {
  return base64url(randomBytes(32))
}

/** A random UUID v4. */
export function uuid(): string {
  return globalThis.crypto.randomUUID()
}

/** base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}
