/**
 * Node-key signatures (protocols-amiko.md §1, §3): ECDSA over secp256k1 on `SHA256(data)` with no
 * further hashing, RFC 6979 deterministic nonces, low-S, compact `r‖s` as 128 lowercase hex.
 * `signDigest`/`verifyDigest` take the 32-byte SHA-256 digest itself: a channel `State` signs its
 * `stateHash`, which already is `SHA256(ENC(…))` (§11).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes } from '../../core/bytes.ts'
import { isHex32, isKey, isSig } from './ids.ts'

// noble v2: `prehash: true` applies SHA-256 once; compact format and RFC 6979 (no extraEntropy) are defaults.
const SIGN = { prehash: true, lowS: true, format: 'compact' } as const
const DIGEST = { ...SIGN, prehash: false } as const

/** A fresh node private key, 64 hex. */
export function newPrivateKey(): string {
  return bytesToHex(secp256k1.utils.randomSecretKey())
}

/** The compressed public key (66 hex) of a private key; throws on an invalid key. */
export function publicKeyOf(privateKeyHex: string): string {
  return bytesToHex(secp256k1.getPublicKey(hexToBytes(privateKeyHex), true))
}

/** Signs `SHA256(data)`; throws on an invalid private key. */
export function sign(privateKeyHex: string, data: Uint8Array): string {
  return bytesToHex(secp256k1.sign(data, hexToBytes(privateKeyHex), SIGN))
}

/** Whether `sigHex` is a low-S signature of `SHA256(data)` by `publicKeyHex`; false on malformed input. */
export function verify(publicKeyHex: string, data: Uint8Array, sigHex: string): boolean {
  return check(publicKeyHex, data, sigHex, SIGN)
}

/** Signs a 32-byte digest (64 hex) as is; throws on an invalid key or digest. */
export function signDigest(privateKeyHex: string, digestHex: string): string {
  if (!isHex32(digestHex)) throw new TypeError('digest must be 64 lowercase hex')
  return bytesToHex(secp256k1.sign(hexToBytes(digestHex), hexToBytes(privateKeyHex), DIGEST))
}

/** Whether `sigHex` signs the digest `digestHex` as is; false on malformed input. */
export function verifyDigest(publicKeyHex: string, digestHex: string, sigHex: string): boolean {
  return isHex32(digestHex) && check(publicKeyHex, hexToBytes(digestHex), sigHex, DIGEST)
}

function check(publicKeyHex: string, message: Uint8Array, sigHex: string, opts: typeof SIGN | typeof DIGEST) {
  if (!isKey(publicKeyHex) || !isSig(sigHex) || !(message instanceof Uint8Array)) return false
  try {
    return secp256k1.verify(hexToBytes(sigHex), message, hexToBytes(publicKeyHex), opts)
  } catch {
    return false // not a curve point, r or s out of range
  }
}
