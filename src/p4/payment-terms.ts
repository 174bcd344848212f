/**
 * PaymentTerms: the one internal form of what an invoice asks for, from which both dialects'
 * PaymentRequests are built (protocols-p4.md §5, §6). Times are milliseconds since the epoch;
 * the schema is for terms read back from the store.
 */
import { z } from 'zod'
import { ID_PATTERN } from '../core/ids.ts'
import { feeRatesSchema } from './fees.ts'
import { text } from './field-rules.ts'
import { merchantDetailsSchema } from './merchant.ts'
import { outputsSchema } from './output.ts'

/** `network` values (§5): mainnet, testnet, scaling testnet, and regtest (the devnet). */
export const NETWORKS = ['bitcoin-sv', 'testnet', 'stn', 'regtest'] as const

/** A `network` value. */
export type P4Network = (typeof NETWORKS)[number]

/** The network of a request. */
export const networkSchema = z.enum(NETWORKS, { error: `value must be one of ${NETWORKS.join(', ')}` })

const epochMs = z.number().refine(Number.isSafeInteger, 'value must be milliseconds since the epoch')

/** What a PaymentRequest asks for, dialect-free. */
export const paymentTermsSchema = z.object({
  network: networkSchema,
  outputs: outputsSchema,
  creationTimestamp: epochMs,
  expirationTimestamp: epochMs,
  memo: text(50),
  paymentUrl: text(4000, 1),
  paymentId: z.string().regex(ID_PATTERN),
  merchant: merchantDetailsSchema,
  fees: feeRatesSchema,
  spvRequired: z.boolean(),
})

/** What a PaymentRequest asks for, dialect-free. */
export type PaymentTerms = z.infer<typeof paymentTermsSchema>
