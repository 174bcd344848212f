/**
 * A requested output (protocols-p4.md §5 Output, shared by §6): `amount` ≥ 1 satoshi, `script`
 * a hex locking script of 1–10,000 bytes, an optional `description` of ≤ 100 characters.
 */
import { z } from 'zod'
import { hex, satoshisField, text } from './field-rules.ts'

/** Most outputs one request may ask for (§5 `destinations.outputs`, §6 `outputs`). */
export const MAX_OUTPUTS = 100

/** One requested output. */
export const outputSchema = z.object({
  amount: satoshisField(1),
  script: hex(1, 10_000),
  description: text(100).optional(),
})

/** One requested output. */
export type Output = z.infer<typeof outputSchema>

/** 1–100 outputs. */
export const outputsSchema = z
  .array(outputSchema)
  .min(1, 'value cannot be empty')
  .max(MAX_OUTPUTS, `at most ${MAX_OUTPUTS} outputs`)
