/** `paylink/core`: pure helpers shared by every folder. */
export { isSatoshis, MAX_SATOSHIS, satoshis, sumSatoshis } from './amount.ts'
export {
  bytesEqual,
  bytesToHex,
  bytesToUtf8,
  concatBytes,
  constantTimeEqual,
  fromDisplayHex,
  hexToBytes,
  isHex,
  reverseBytes,
  toDisplayHex,
  utf8ToBytes,
} from './bytes.ts'
export { type Clock, ManualClock, rfc3339, systemClock, unixSeconds } from './clock.ts'
export { parse, type Resolved, resolveConfig, type Setting, type Spec } from './config.ts'
export { ERROR_CODES, type ErrorCode } from './error-codes.ts'
export { isPaylinkError, PaylinkError } from './errors.ts'
export { hash160, ripemd160, sha256, sha256d } from './hash.ts'
export { base64url, ID_PATTERN, randomBytes, randomId, randomToken, uuid } from './ids.ts'
export { Mutex } from './mutex.ts'
