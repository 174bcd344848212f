/**
 * Fee quotes (protocols-p4.md §8): the P4 `fees` object (go-bt `FeeQuote`), mAPI's `fees[]`,
 * ARC's `policy.miningFee` and BIP274's `feeRate`, all normalised to `FeeRates`, the standard
 * and data mining rates. `relayFee` is carried for the shape only; the fee rule ignores it.
 */
import { z } from 'zod'
import { MAX_SATOSHIS } from '../core/amount.ts'
import { satoshisField } from './field-rules.ts'

/** `satoshis` per `bytes` (integers; `bytes` ≥ 1). */
export const feeRateSchema = z.object({
  satoshis: satoshisField(0),
  bytes: z
    .number()
    .refine((n) => Number.isSafeInteger(n) && n >= 1, 'value must be an integer of at least 1'),
})

/** A fee rate: `satoshis` per `bytes`. */
export type FeeRate = z.infer<typeof feeRateSchema>

/** The normalised quote: mining rates for standard and data bytes (§8 rule). */
export const feeRatesSchema = z.object({ standard: feeRateSchema, data: feeRateSchema })

/** The normalised quote (the shape of `chain/fee-rule.ts` `FeeRates`). */
export type FeeRates = z.infer<typeof feeRatesSchema>

/** The configured fallback: 1 satoshi per 1000 bytes, standard and data (§8). */
export const DEFAULT_FEE_RATES: FeeRates = Object.freeze({
  standard: Object.freeze({ satoshis: 1, bytes: 1000 }),
  data: Object.freeze({ satoshis: 1, bytes: 1000 }),
})

const p4FeeSchema = z.object({ miningFee: feeRateSchema, relayFee: feeRateSchema })

/** The P4 `fees` object: `{standard:{miningFee, relayFee}, data:{…}}` (go-bt `FeeQuote`). */
export const p4FeesSchema = z.object({ standard: p4FeeSchema, data: p4FeeSchema })

/** The P4 `fees` object. */
export type P4Fees = z.infer<typeof p4FeesSchema>

/** One entry of mAPI's `fees[]`; `feeType` other than `standard`/`data` is ignored. */
export const mapiFeeSchema = z.object({
  feeType: z.string(),
  miningFee: feeRateSchema,
  relayFee: feeRateSchema,
})

/** One mAPI fee entry. */
export type MapiFee = z.infer<typeof mapiFeeSchema>

/** mAPI's `fees[]`, which must hold a `standard` entry. */
export const mapiFeesSchema = z
  .array(mapiFeeSchema)
  .refine((fees) => fees.some((f) => f.feeType === 'standard'), 'a standard fee is required')

/** ARC `GET /v1/policy`: only `policy.miningFee` is read. */
export const arcPolicySchema = z.object({
  timestamp: z.string().optional(),
  policy: z.object({ miningFee: feeRateSchema }),
})

/** ARC's policy answer. */
export type ArcPolicy = z.infer<typeof arcPolicySchema>

/** BIP274 `feeRate`: satoshis per byte as a decimal. */
export const bip274FeeRateSchema = z.object({
  // A byte cannot cost more than all bitcoin: the cap keeps every conversion a safe integer.
  satoshisPerByte: z
    .number()
    .refine((n) => n >= 0 && n <= MAX_SATOSHIS / 1e8, `value must be between 0 and ${MAX_SATOSHIS / 1e8}`),
})

/** BIP274 `feeRate`. */
export type Bip274FeeRate = z.infer<typeof bip274FeeRateSchema>

/** ARC: the one mining fee serves both standard and data bytes. */
export function fromArcPolicy(answer: ArcPolicy): FeeRates {
  const { satoshis, bytes } = answer.policy.miningFee
  return { standard: { satoshis, bytes }, data: { satoshis, bytes } }
}

/** mAPI: rates by `feeType`; a quote without a `data` entry charges data at the standard rate. */
export function fromMapiFees(fees: readonly MapiFee[]): FeeRates {
  const standard = fees.find((f) => f.feeType === 'standard')?.miningFee
  if (standard === undefined)
    throw new TypeError('mAPI fees without a standard fee (parse with mapiFeesSchema)')
  const data = fees.find((f) => f.feeType === 'data')?.miningFee ?? standard
  return { standard: { ...standard }, data: { ...data } }
}

/** P4 `fees` → rates (the mining fees). */
export function fromP4Fees(fees: P4Fees): FeeRates {
  return { standard: { ...fees.standard.miningFee }, data: { ...fees.data.miningFee } }
}

/** Rates → P4 `fees`, exactly the keys go-bt accepts; `relayFee` := `miningFee`. */
export function toP4Fees(rates: FeeRates): P4Fees {
  const fee = (r: FeeRate) => ({ miningFee: { ...r }, relayFee: { ...r } })
  return { standard: fee(rates.standard), data: fee(rates.data) }
}

/** The larger of the two rates, comparing s₁·b₂ with s₂·b₁ exactly (the strict BIP270 rule). */
export function largerRate(rates: FeeRates): FeeRate {
  const { standard: a, data: b } = rates
  return BigInt(a.satoshis) * BigInt(b.bytes) >= BigInt(b.satoshis) * BigInt(a.bytes) ? a : b
}

/** BIP274 `feeRate` of the larger rate as a decimal (1 sat / 1000 bytes → 0.001). */
export function toBip274FeeRate(rates: FeeRates): Bip274FeeRate {
  const { satoshis, bytes } = largerRate(rates)
  return { satoshisPerByte: satoshis / bytes }
}

/** `@bsv/sdk` `SatoshisPerKilobyte` value of the larger rate: ⌈s × 1000 / b⌉, never below our rule. */
export function toSatoshisPerKilobyte(rates: FeeRates): number {
  const { satoshis, bytes } = largerRate(rates)
  return Math.ceil((satoshis * 1000) / bytes)
}

/**
 * BIP274 `feeRate` → rates (wallet side): the decimal is read exactly when it has at most 8
 * places (0.001 → 1 / 1000), else rounded up per 10⁸ bytes, so the wallet never pays too little.
 */
export function fromBip274FeeRate(feeRate: Bip274FeeRate): FeeRates {
  const match = /^(\d+)(?:\.(\d{1,8}))?$/.exec(String(feeRate.satoshisPerByte))
  const rate =
    match === null
      ? { satoshis: Math.ceil(feeRate.satoshisPerByte * 1e8), bytes: 1e8 }
      : { satoshis: Number(`${match[1]}${match[2] ?? ''}`), bytes: 10 ** (match[2] ?? '').length }
  return { standard: rate, data: { ...rate } }
}
