/**
 * Amiko identifiers (protocols-amiko.md §1, §3): commit tokens and transaction IDs, payment IDs,
 * dice, handshake challenges, route IDs, and the validators for every ID and hex field form.
 */
import { bytesToHex, constantTimeEqual, hexToBytes } from '../../core/bytes.ts'
import { hash160 } from '../../core/hash.ts'
import { randomBytes } from '../../core/ids.ts'

const NAME = /^[A-Za-z0-9._~-]{1,64}$/
const HEX20 = /^[0-9a-f]{40}$/
const HEX32 = /^[0-9a-f]{64}$/
const KEY = /^0[23][0-9a-f]{64}$/
const SIG = /^[0-9a-f]{128}$/
const DICE = /^[0-9a-f]{8}$/

/** A fresh commit token: 32 CSPRNG bytes as 64 lowercase hex (§1). */
export function newToken(): string {
  return bytesToHex(randomBytes(32))
}

/** The transaction ID of a token: `RIPEMD160(SHA256(token))` as 40 lowercase hex (§1). Throws on non-hex. */
export function transactionIdOf(tokenHex: string): string {
  return bytesToHex(hash160(hexToBytes(tokenHex)))
}

/** Whether `tokenHex` is a hex32 token whose hash is `transactionIdHex` (§4 receiver checks); never throws. */
export function tokenMatches(tokenHex: string, transactionIdHex: string): boolean {
  if (!isHex32(tokenHex) || !isHex20(transactionIdHex)) return false
  return constantTimeEqual(hash160(hexToBytes(tokenHex)), hexToBytes(transactionIdHex))
}

/** A fresh payment ID: 16 CSPRNG bytes as 32 hex (path-safe, never starts with `_`). */
export function newPaymentId(): string {
  return bytesToHex(randomBytes(16))
}

/** Fresh dice for an outgoing neighbour connection: 4 bytes as 8 hex (§2.3). */
export function newDice(): string {
  return bytesToHex(randomBytes(4))
}

/** A fresh handshake challenge: 32 bytes as 64 hex (§2.3). */
export function newChallenge(): string {
  return bytesToHex(randomBytes(32))
}

/** A link name: 1–64 chars of `[A-Za-z0-9._~-]`, not starting with `_` (reserved names). */
export function isLinkName(s: string): boolean {
  return NAME.test(s) && !s.startsWith('_')
}

/** A payment ID as receivers accept it: 1–64 chars of `[A-Za-z0-9._~-]`. */
export function isPaymentId(s: string): boolean {
  return NAME.test(s)
}

/** A meeting point ID: the link-name form. */
export function isMeetingPointId(s: string): boolean {
  return isLinkName(s)
}

/** Exactly 40 lowercase hex chars (a transaction ID). */
export function isHex20(s: string): boolean {
  return HEX20.test(s)
}

/** Exactly 64 lowercase hex chars (a token, challenge or state hash). */
export function isHex32(s: string): boolean {
  return HEX32.test(s)
}

/** A compressed public key's form: 66 lowercase hex starting `02`/`03` (the point is not checked). */
export function isKey(s: string): boolean {
  return KEY.test(s)
}

/** A compact signature's form: 128 lowercase hex. */
export function isSig(s: string): boolean {
  return SIG.test(s)
}

/** Dice: 8 lowercase hex chars. */
export function isDice(s: string): boolean {
  return DICE.test(s)
}

/** The route ID of a transaction's channel entry: `"1"` (payer half) or `"0"` (payee half) + txid. */
export function routeId(isPayerSide: boolean, transactionID: string): string {
  return (isPayerSide ? '1' : '0') + transactionID
}
