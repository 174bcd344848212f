/**
 * The Payment in both dialects (protocols-p4.md §5 Payment, §6 Payment): wire schemas and the
 * one normalised form the merchant validates. The 2021 `spvEnvelope` is refused with its own
 * reason (`PL3002`); BIP270 `req-` keys with `PL1004`.
 */
import { z } from 'zod'
import { hex, rejectingReqKeys, text } from './field-rules.ts'
import type { TransportOptions } from './loopback.ts'
import { type ProofCallbacks, proofCallbacksSchema } from './proof-callbacks.ts'

/** The message of the `spvEnvelope` refusal; its field maps the failure to `PL3002`. */
export const SPV_ENVELOPE_REFUSED = 'the 2021 spvEnvelope is not accepted: send ancestry (BEEF) instead'

/** `ancestry`: hex, or null; an empty string reads as null. */
const ancestry = hex()
  .transform((v) => (v === '' ? null : v))
  .nullable()
  .optional()

/** The P4 Payment schema (§5), with callback URLs checked under `options`. */
export function makeP4PaymentSchema(options: TransportOptions = {}) {
  return z
    .object({
      merchantData: z.looseObject({ extendedData: z.looseObject({ paymentReference: z.string() }) }),
      rawTx: hex(1),
      ancestry,
      spvEnvelope: z.null({ error: SPV_ENVELOPE_REFUSED }).optional(),
      proofCallbacks: proofCallbacksSchema(options),
      refundTo: text(100).nullable().optional(),
      memo: text(1000).optional(),
    })
    .transform(({ spvEnvelope: _, ...payment }) => payment)
}

/** The strict BIP270 Payment schema (§6), with callback URLs checked under `options`. */
export function makeBip270PaymentSchema(options: TransportOptions = {}) {
  return rejectingReqKeys(
    z.object({
      transaction: hex(1),
      // ElectrumSV 1.3 echoes a request without merchantData as null.
      merchantData: text(10_000).nullable().optional(),
      refundTo: text(100).nullable().optional(),
      memo: text(1000).optional(),
      ancestry,
      proofCallbacks: proofCallbacksSchema(options),
    }),
  )
}

/** The P4 Payment (§5); callback URLs `https`, or `http` to loopback hosts. */
export const p4PaymentSchema = makeP4PaymentSchema()

/** The P4 Payment. */
export type P4Payment = z.output<typeof p4PaymentSchema>

/** The strict BIP270 Payment (§6). */
export const bip270PaymentSchema = makeBip270PaymentSchema()

/** The strict BIP270 Payment. */
export type Bip270Payment = z.output<typeof bip270PaymentSchema>

/** A Payment of either dialect, as the merchant validates it. */
export interface NormalizedPayment {
  /** `rawTx` or `transaction` as given: a raw transaction, or BEEF / Atomic BEEF hex (§9). */
  rawTx: string
  ancestry?: string
  /** The P4 object, or the BIP270 string to compare byte for byte with the one served. */
  merchantData?: Record<string, unknown> | string
  /** P4 `merchantData.extendedData.paymentReference`. */
  paymentReference?: string
  refundTo?: string
  memo?: string
  proofCallbacks?: ProofCallbacks
}

/** Copies the optional fields both dialects share, leaving out null and absent ones. */
function shared(p: {
  ancestry?: string | null | undefined
  refundTo?: string | null | undefined
  memo?: string | undefined
  proofCallbacks?: ProofCallbacks | null | undefined
}): Partial<NormalizedPayment> {
  const out: Partial<NormalizedPayment> = {}
  if (p.ancestry != null) out.ancestry = p.ancestry
  if (p.refundTo != null) out.refundTo = p.refundTo
  if (p.memo !== undefined) out.memo = p.memo
  if (p.proofCallbacks != null) out.proofCallbacks = p.proofCallbacks
  return out
}

/** The normalised form of a P4 Payment. */
export function fromP4Payment(p: P4Payment): NormalizedPayment {
  const paymentReference = p.merchantData.extendedData.paymentReference
  return { rawTx: p.rawTx, merchantData: p.merchantData, paymentReference, ...shared(p) }
}

/** The normalised form of a BIP270 Payment. */
export function fromBip270Payment(p: Bip270Payment): NormalizedPayment {
  const out: NormalizedPayment = { rawTx: p.transaction, ...shared(p) }
  if (p.merchantData != null) out.merchantData = p.merchantData
  return out
}
