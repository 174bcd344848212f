/** `paylink/chain`: block headers, merkle trees and proofs (BUMP, TSC), JSONEnvelope. */

export {
  type Ancestry,
  type AncestryEntry,
  type AncestryFormat,
  type AncestryProof,
  detectAncestryFormat,
  parseAncestry,
} from './ancestry.ts'
export { ARC_ACCEPTED, type ArcVerdict, classifyArcAnswer } from './arc-classify.ts'
export { ArcClient, type ArcClientOptions, type ArcPolicy, type ArcTxStatus } from './arc-client.ts'
export {
  type BlockHeader,
  bitsToTarget,
  blockWork,
  HEADER_SIZE,
  headerHash,
  meetsTarget,
  parseHeader,
  serializeHeader,
} from './block-header.ts'
export type {
  BroadcastAccepted,
  BroadcastCallback,
  Broadcaster,
  BroadcastRejected,
  BroadcastResult,
  BroadcastStatus,
  BroadcastUndecided,
} from './broadcast-result.ts'
export { feeSizes, isDataScript, requiredFee } from './fee-rule.ts'
export {
  type HeaderSource,
  type HeaderState,
  HeadersClient,
  type HeadersClientOptions,
  type RootAtHeight,
  type RootsVerdict,
} from './headers-client.ts'
export {
  assertEnvelopeVerifies,
  isSigned,
  type JsonEnvelope,
  type JsonEnvelopeEncoding,
  jsonEnvelopeSchema,
  parseEnvelopePayload,
  parseJsonEnvelope,
  signEnvelope,
  verifyEnvelope,
} from './json-envelope.ts'
export { classifyMapiSubmit, openMapiEnvelope } from './mapi-classify.ts'
export { MapiClient, type MapiClientOptions, type MapiFeeQuote } from './mapi-client.ts'
export { type MerklePathLeaf, merkleParent, merklePathFor, merkleRoot } from './merkle-tree.ts'
export { type SourceOutput, verifyScripts } from './script-verify.ts'
export { type SpvCode, type SpvOptions, type SpvResult, verifyAncestry } from './spv.ts'
export {
  detectFormat,
  parseSubmission,
  type Submission,
  type TransactionFormat,
} from './transaction-format.ts'
export { decodeTscBinary, encodeTscBinary } from './tsc-binary.ts'
export {
  merklePathFromTsc,
  parseTscProof,
  type TscProof,
  type TscTargetType,
  tscFromMerklePath,
  tscProofSchema,
  tscRoot,
  tscTarget,
  tscTxid,
} from './tsc-proof.ts'
