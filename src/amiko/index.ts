/**
 * `paylink/amiko`: Amiko payment links (protocols-amiko.md). `AmikoNode` is a node to embed (a
 * wallet, a shop); the protocol names are for programs that read or check Amiko data themselves
 * (URLs, IDs, signatures, a payer's proof of payment); `AdminClient` drives a running
 * `paylink node` through its admin API.
 */
export { AdminApiError, AdminClient } from './admin/admin-client.ts'
export { type AdminFile, readAdminFile } from './admin/admin-file.ts'
export { type AdminNode, type AdminServer, buildAdminApp, startAdminServer } from './admin/admin-server.ts'
export {
  type PaymentProof,
  type ProofVerdict,
  paymentProofSchema,
  verifyPaymentProof,
} from './admin/payment-proof.ts'
export { DEFAULT_SETTINGS, type Settings } from './node/engine.ts'
export { AmikoNode, type AmikoNodeOptions } from './node/node.ts'
export type {
  Balance,
  NodeSummary,
  PaymentLogLine,
  PaymentRequest,
  PayOffer,
  PayOutcome,
} from './node/types.ts'
export { AMIKO_ERROR_CODES, AmikoError, type AmikoErrorCode, isAmikoErrorCode } from './protocol/errors.ts'
export {
  isKey,
  isLinkName,
  isMeetingPointId,
  isPaymentId,
  tokenMatches,
  transactionIdOf,
} from './protocol/ids.ts'
export { type Message, type MessageOf, messageSchema, parseMessage } from './protocol/messages.ts'
export { newPrivateKey, publicKeyOf, sign, verify } from './protocol/signing.ts'
export { meetingPointSigningData, receiptSigningData } from './protocol/signing-data.ts'
export {
  DEFAULT_PORT,
  formatLinkUrl,
  formatPayUrl,
  type LinkUrl,
  type PayUrl,
  parseLinkUrl,
  parsePayUrl,
} from './protocol/urls.ts'
