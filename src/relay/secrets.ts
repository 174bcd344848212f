/**
 * Secret handling for the relay (PROTOCOLS.md P4 conventions): merchant keys and channel tokens
 * are stored as SHA-256 hex hashes and compared in constant time, never logged.
 */
import { bytesToHex, constantTimeEqual, hexToBytes, utf8ToBytes } from '../core/bytes.ts'
import { sha256 } from '../core/hash.ts'

/** The SHA-256 hex hash of a secret. */
export function hashSecret(secret: string): string {
  return bytesToHex(sha256(utf8ToBytes(secret)))
}

/** Whether `presented` hashes to `storedHash`, compared in constant time. */
export function secretMatches(storedHash: string, presented: string): boolean {
  return constantTimeEqual(hexToBytes(storedHash), sha256(utf8ToBytes(presented)))
}

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '')
  return match?.[1]
}
