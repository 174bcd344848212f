/**
 * The request bodies of the node admin API, parsed at the HTTP boundary. Amounts are integer
 * satoshis (protocols-amiko.md §3); names and IDs are checked by the node itself.
 */
import { z } from 'zod'

const satoshis = z.int().min(0)
const payment = z.int().min(1)

export const makeLinkBody = z.object({ name: z.string().min(1), remote: z.string().min(1).optional() })
export const depositBody = z.object({ amount: satoshis, remoteAmount: satoshis.optional() })
export const meetingPointBody = z.object({ id: z.string().min(1) })
export const requestBody = z.object({ amount: payment, receipt: z.string() })
export const payBody = z.object({ url: z.string().min(1) })
export const confirmBody = z.object({ agree: z.boolean() })
export const channelParams = z.object({ name: z.string().min(1), index: z.coerce.number().int().min(0) })
