/**
 * The pure protocol layer of Amiko payment links (protocols-amiko.md §1–§5, §11): identifiers and
 * URLs, the ENC encoding and node-key signatures, message schemas, line framing and outbox index
 * arithmetic. No I/O; the node (`src/amiko/node`) builds on it.
 */
export { type EncItem, enc, type HexItem, hex } from './enc.ts'
export { AMIKO_ERROR_CODES, AmikoError, type AmikoErrorCode, isAmikoErrorCode } from './errors.ts'
export {
  isDice,
  isHex20,
  isHex32,
  isKey,
  isLinkName,
  isMeetingPointId,
  isPaymentId,
  isSig,
  newChallenge,
  newDice,
  newPaymentId,
  newToken,
  routeId,
  tokenMatches,
  transactionIdOf,
} from './ids.ts'
export { type IouState, type IouStateEntry, iouStateData, iouStateHash, isSideA } from './iou-state.ts'
export {
  formatLine,
  isLineError,
  type Line,
  type LineError,
  MAX_LINE_BYTES,
  parseLine,
  type RawMessage,
} from './lines.ts'
export {
  type ChannelSubMessage,
  type ChannelSubMessageClass,
  type ChannelSubMessageOf,
  channelSubMessageSchema,
  MAX_MEETING_POINTS,
  MAX_RECEIPT_BYTES,
  type Message,
  type MessageClass,
  type MessageOf,
  messageSchema,
  type ParseResult,
  parseChannelMessage,
  parseMessage,
} from './messages.ts'
export {
  classifyIndex,
  INDEX_MODULUS,
  INITIAL_LAST_RECEIVED,
  isAckedBy,
  isIndex,
  nextIndex,
  OUTBOX_CAPACITY,
} from './serial.ts'
export { newPrivateKey, publicKeyOf, sign, signDigest, verify, verifyDigest } from './signing.ts'
export { connectSigningData, meetingPointSigningData, receiptSigningData } from './signing-data.ts'
export {
  DEFAULT_PORT,
  formatLinkUrl,
  formatPayUrl,
  type LinkUrl,
  type PayUrl,
  parseLinkUrl,
  parsePayUrl,
} from './urls.ts'
