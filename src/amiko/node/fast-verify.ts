/**
 * Node-key signature checks through OpenSSL (`node:crypto`), several times faster than the pure
 * JS of `../protocol/signing.ts` and the same rule: ECDSA/secp256k1 over SHA256(data), compact
 * `r‖s`, low-S only. A node checks one on every channel `State` it receives (§11), so this sits on
 * every payment's path. Peer keys are few: their OpenSSL key objects are cached.
 */
import { createPublicKey, type KeyObject, verify as opensslVerify } from 'node:crypto'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { isKey, isSig } from '../protocol/index.ts'

const HALF_N = secp256k1.Point.CURVE().n >> 1n
const keys = new Map<string, KeyObject>()

function keyObject(publicKeyHex: string): KeyObject {
  let key = keys.get(publicKeyHex)
  if (key === undefined) {
    const { x, y } = secp256k1.Point.fromHex(publicKeyHex).toAffine()
    const b64 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').toString('base64url')
    key = createPublicKey({ key: { kty: 'EC', crv: 'secp256k1', x: b64(x), y: b64(y) }, format: 'jwk' })
    if (keys.size >= 1024) keys.clear()
    keys.set(publicKeyHex, key)
  }
  return key
}

/** Whether `sigHex` is a low-S signature of SHA256(`data`) by `publicKeyHex`; false on malformed input. */
export function verifySignature(publicKeyHex: string, data: Uint8Array, sigHex: string): boolean {
  if (!isKey(publicKeyHex) || !isSig(sigHex)) return false
  if (BigInt(`0x${sigHex.slice(64)}`) > HALF_N) return false
  try {
    return opensslVerify(
      'sha256',
      data,
      { key: keyObject(publicKeyHex), dsaEncoding: 'ieee-p1363' },
      Buffer.from(sigHex, 'hex'),
    )
  } catch {
    return false
  }
}
