/**
 * `paylink/p4`: the P4 protocol (protocols-p4.md §2–§8, §11), pure and browser-safe: payment
 * URIs, fee quotes, PaymentRequest, Payment and PaymentACK in the P4 JSON and strict BIP270
 * dialects, and the error bodies.
 */
export { btcToSatoshis, satoshisToBtc } from './btc-amount.ts'
export {
  type ClientError,
  type ClientErrorBody,
  clientErrorBody,
  clientErrorSchema,
  isErrorCode,
  LEGACY_CODES,
  type LegacyCode,
  legacyCodeOf,
  statusOfLegacyCode,
  statusOfReason,
  type ValidationError,
  type ValidationErrorBody,
  validationErrorBody,
  validationErrorSchema,
} from './client-error.ts'
export {
  type ArcPolicy,
  arcPolicySchema,
  type Bip274FeeRate,
  bip274FeeRateSchema,
  DEFAULT_FEE_RATES,
  type FeeRate,
  type FeeRates,
  feeRateSchema,
  feeRatesSchema,
  fromArcPolicy,
  fromBip274FeeRate,
  fromMapiFees,
  fromP4Fees,
  largerRate,
  type MapiFee,
  mapiFeeSchema,
  mapiFeesSchema,
  type P4Fees,
  p4FeesSchema,
  toBip274FeeRate,
  toP4Fees,
  toSatoshisPerKilobyte,
} from './fees.ts'
export { type FieldErrors, fieldErrors, goMessages, parseWith, schemaFailure } from './field-errors.ts'
export { isLoopbackHost, isTransportAllowed, type TransportOptions } from './loopback.ts'
export {
  MAX_EXTENDED_BYTES,
  MAX_EXTENDED_KEYS,
  type Merchant,
  type MerchantDetails,
  merchantDetailsSchema,
  merchantSchema,
} from './merchant.ts'
export { MAX_OUTPUTS, type Output, outputSchema, outputsSchema } from './output.ts'
export { mediaType, type ParsedPayment, parsePayment } from './parse-payment.ts'
export { parsePaymentRequest, type ReceivedPaymentRequest } from './parse-payment-request.ts'
export {
  type Bip270Payment,
  bip270PaymentSchema,
  fromBip270Payment,
  fromP4Payment,
  makeBip270PaymentSchema,
  makeP4PaymentSchema,
  type NormalizedPayment,
  type P4Payment,
  p4PaymentSchema,
  SPV_ENVELOPE_REFUSED,
} from './payment.ts'
export {
  type AckVerdict,
  type Bip270PaymentAck,
  bip270Ack,
  type P4PaymentAck,
  p4Ack,
  p4AckSchema,
  parseAck,
  paymentEchoAckSchema,
  type ReadAck,
} from './payment-ack.ts'
export {
  type Bip270PaymentRequest,
  bip270MerchantData,
  bip270PaymentRequestSchema,
  type P4PaymentRequest,
  p4PaymentRequestSchema,
  toBip270PaymentRequest,
  toP4PaymentRequest,
} from './payment-request.ts'
export {
  NETWORKS,
  networkSchema,
  type P4Network,
  type PaymentTerms,
  paymentTermsSchema,
} from './payment-terms.ts'
export {
  MAX_CALLBACK_URL,
  MAX_PROOF_CALLBACKS,
  type ProofCallback,
  type ProofCallbacks,
  proofCallbacksSchema,
} from './proof-callbacks.ts'
export { bitcoinUri, encodeR, type PaymentUri, parsePaymentUri, payUri } from './uri.ts'
