/**
 * The Merchant object (protocols-p4.md §5 `merchantData`, DPP-era `beneficiary`): optional
 * display fields and `extendedData`, which carries `paymentReference` (= the `paymentId`) and
 * at most 16 further keys, ≤ 4 KiB as JSON.
 */
import { z } from 'zod'
import { jsonBytes, text } from './field-rules.ts'

/** Further `extendedData` keys allowed beside `paymentReference`. */
export const MAX_EXTENDED_KEYS = 16

/** Largest `extendedData`, as UTF-8 JSON. */
export const MAX_EXTENDED_BYTES = 4096

/** Applies the `extendedData` limits to any object schema. */
function limited<T extends z.ZodType<Record<string, unknown>>>(schema: T): T {
  return schema
    .refine(
      (data) => Object.keys(data).filter((k) => k !== 'paymentReference').length <= MAX_EXTENDED_KEYS,
      `at most ${MAX_EXTENDED_KEYS} keys besides paymentReference`,
    )
    .refine((data) => jsonBytes(data) <= MAX_EXTENDED_BYTES, `at most ${MAX_EXTENDED_BYTES} bytes as JSON`)
}

/** `extendedData` on the wire: `paymentReference` required, other keys kept. */
export const extendedDataSchema = limited(z.looseObject({ paymentReference: text(64, 1) }))

const display = {
  avatar: text(1000).optional(),
  name: text(100).optional(),
  email: text(254).optional(),
  address: text(500).optional(),
}

/** The Merchant object of a P4 PaymentRequest. */
export const merchantSchema = z.object({ ...display, extendedData: extendedDataSchema })

/** The Merchant object of a P4 PaymentRequest. */
export type Merchant = z.infer<typeof merchantSchema>

/** The merchant as configured: the same fields, `paymentReference` added per request. */
export const merchantDetailsSchema = z.object({
  ...display,
  extendedData: limited(z.record(z.string(), z.unknown())),
})

/** The merchant as configured. */
export type MerchantDetails = z.infer<typeof merchantDetailsSchema>
