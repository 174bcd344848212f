/**
 * PaymentRequest in both dialects (protocols-p4.md §5 P4 JSON, §6 strict BIP270): the wire
 * schemas, with the aliases of §5 normalised on parse, and the builders from `PaymentTerms`.
 */
import { z } from 'zod'
import { rfc3339 } from '../core/clock.ts'
import { bip274FeeRateSchema, p4FeesSchema, toBip274FeeRate, toP4Fees } from './fees.ts'
import { GO_ZERO_TIME, isRecord, rejectingReqKeys, rfc3339Field, text } from './field-rules.ts'
import { merchantSchema } from './merchant.ts'
import { outputsSchema } from './output.ts'
import { NETWORKS, networkSchema, type PaymentTerms } from './payment-terms.ts'

/** payd emits `paymentURL`, DPP-era servers `beneficiary`: read them as §5's names. */
function normaliseAliases(value: unknown): unknown {
  if (!isRecord(value)) return value
  const out = { ...value }
  if (out['paymentUrl'] === undefined && out['paymentURL'] !== undefined)
    out['paymentUrl'] = out['paymentURL']
  if (out['merchantData'] === undefined && out['beneficiary'] !== undefined)
    out['merchantData'] = out['beneficiary']
  return out
}

const p4RequestFields = z
  .object({
    network: networkSchema,
    spvRequired: z.boolean().optional(),
    ancestryRequired: z.boolean().optional(),
    destinations: z.object({ outputs: outputsSchema }),
    creationTimestamp: rfc3339Field,
    expirationTimestamp: rfc3339Field,
    paymentUrl: text(4000, 1),
    memo: text(50),
    merchantData: merchantSchema,
    fees: p4FeesSchema,
  })
  // Clients read one flag or the other (§5); at least one must be there.
  .refine((r) => r.spvRequired !== undefined || r.ancestryRequired !== undefined, {
    error: 'value cannot be empty',
    path: ['spvRequired'],
  })
  .transform(({ spvRequired, ancestryRequired, expirationTimestamp, ...rest }) => {
    const required = spvRequired === true || ancestryRequired === true
    const expires =
      Date.parse(expirationTimestamp) === Date.parse(GO_ZERO_TIME) ? undefined : expirationTimestamp
    return { ...rest, spvRequired: required, ancestryRequired: required, expirationTimestamp: expires }
  })

/**
 * The P4 PaymentRequest (§5). On parse `paymentURL` and `beneficiary` are read as `paymentUrl`
 * and `merchantData`, one of `spvRequired`/`ancestryRequired` sets both, and Go's zero
 * `expirationTimestamp` reads as none (`undefined`).
 */
export const p4PaymentRequestSchema = z.preprocess(normaliseAliases, p4RequestFields)

/** The P4 PaymentRequest. */
export type P4PaymentRequest = z.output<typeof p4PaymentRequestSchema>

const unixSeconds = z.number().refine((n) => Number.isSafeInteger(n) && n >= 0, 'value must be unix seconds')

/**
 * The strict BIP270 PaymentRequest (§6): unix seconds, `outputs` at the top, `merchantData` a
 * string, BIP274 `feeRate`. Keys BIP270 makes optional are optional on parse (we always send
 * them); `network` `bitcoin` (ElectrumSV 1.3) reads as `bitcoin-sv`; `req-` keys are refused.
 */
export const bip270PaymentRequestSchema = rejectingReqKeys(
  z.object({
    network: z
      .enum([...NETWORKS, 'bitcoin'], { error: `value must be one of ${NETWORKS.join(', ')}` })
      .transform((n) => (n === 'bitcoin' ? 'bitcoin-sv' : n)),
    outputs: outputsSchema,
    creationTimestamp: unixSeconds,
    expirationTimestamp: unixSeconds.optional(),
    memo: text(50).optional(),
    paymentUrl: text(4000, 1),
    merchantData: text(10_000).optional(),
    feeRate: bip274FeeRateSchema.optional(),
  }),
)

/** The strict BIP270 PaymentRequest. */
export type Bip270PaymentRequest = z.output<typeof bip270PaymentRequestSchema>

/** The P4 PaymentRequest of `terms`; `extendedData.paymentReference` is the `paymentId`. */
export function toP4PaymentRequest(terms: PaymentTerms): P4PaymentRequest {
  const { merchant } = terms
  return {
    network: terms.network,
    spvRequired: terms.spvRequired,
    ancestryRequired: terms.spvRequired,
    destinations: { outputs: terms.outputs.map((o) => ({ ...o })) },
    creationTimestamp: rfc3339(terms.creationTimestamp),
    expirationTimestamp: rfc3339(terms.expirationTimestamp),
    paymentUrl: terms.paymentUrl,
    memo: terms.memo,
    merchantData: {
      ...merchant,
      extendedData: { ...merchant.extendedData, paymentReference: terms.paymentId },
    },
    fees: toP4Fees(terms.fees),
  }
}

/** The `merchantData` string we serve in BIP270: `{"paymentReference":"<paymentId>"}`. */
export function bip270MerchantData(paymentId: string): string {
  return JSON.stringify({ paymentReference: paymentId })
}

/** The strict BIP270 PaymentRequest of `terms`; `feeRate` is the larger mining rate. */
export function toBip270PaymentRequest(terms: PaymentTerms): Bip270PaymentRequest {
  return {
    network: terms.network,
    outputs: terms.outputs.map((o) => ({ ...o })),
    creationTimestamp: Math.floor(terms.creationTimestamp / 1000),
    expirationTimestamp: Math.floor(terms.expirationTimestamp / 1000),
    memo: terms.memo,
    paymentUrl: terms.paymentUrl,
    merchantData: bip270MerchantData(terms.paymentId),
    feeRate: toBip274FeeRate(terms.fees),
  }
}
