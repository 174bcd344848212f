/**
 * ARC's answers classified, exactly by the table of protocols-p4.md §12.1. Read `txStatus`: a
 * 2xx alone means nothing, and a body `txid` other than ours is undecided. `@bsv/sdk`'s `ARC`
 * broadcaster reports any 2xx as success (§15 D20). HTTP statuses the table does not name (404,
 * 413, 470…) are undecided `PL4001`: nothing says the transaction is bad, so it is tried again.
 */
import { z } from 'zod'
import { type BroadcastResult, rejected, undecided } from './broadcast-result.ts'

/** `txStatus` values meaning the transaction was taken. */
export const ARC_ACCEPTED = [
  'STORED',
  'ANNOUNCED_TO_NETWORK',
  'REQUESTED_BY_NETWORK',
  'SENT_TO_NETWORK',
  'ACCEPTED_BY_NETWORK',
  'SEEN_ON_NETWORK',
  'MINED',
] as const

/** HTTP statuses whose RFC 7807 body refuses the transaction (`PL2010`); 466 is a double spend. */
const REFUSING = new Set([400, 422, 460, 461, 462, 463, 464, 465, 467, 468, 469, 471, 472, 473])
const CONFLICT = 466

/** ARC's transaction status body (`TransactionStatus` in `arc.yaml`); nulls read as absent. */
export const arcStatusSchema = z.object({
  txid: z.string().nullish(),
  txStatus: z.string(),
  blockHash: z.string().nullish(),
  blockHeight: z.number().int().nonnegative().nullish(),
  merklePath: z.string().nullish(),
  extraInfo: z.string().nullish(),
  competingTxs: z.array(z.string()).nullish(),
})

/** ARC's RFC 7807 error body; every field optional. */
const arcProblemSchema = z.object({
  title: z.string().nullish(),
  detail: z.string().nullish(),
  extraInfo: z.string().nullish(),
  competingTxs: z.array(z.string()).nullish(),
})

/** A classified answer: a result, or `pending` for a `txStatus` that has to be polled. */
export type ArcVerdict = BroadcastResult | { status: 'pending'; txStatus: string }

/** Classifies ARC's answer (`status`, parsed `body`) to a submission of the tx `txid`. */
export function classifyArcAnswer(status: number, body: unknown, txid: string | undefined): ArcVerdict {
  if (status >= 200 && status < 300) return classifyStatusBody(body, txid)
  if (status === 401 || status === 403) return undecided('PL4003', `ARC refused our credentials (${status})`)
  const problem = arcProblemSchema.safeParse(body).data ?? {}
  const detail = [problem.title, problem.detail ?? problem.extraInfo].filter(Boolean).join(': ')
  if (status === CONFLICT)
    return rejected('PL2011', detail || 'conflicting transaction', problem.competingTxs ?? [])
  if (REFUSING.has(status)) return rejected('PL2010', detail || `ARC refused the transaction (${status})`)
  return undecided('PL4001', `ARC answered ${status}${detail === '' ? '' : `: ${detail}`}`)
}

/** Classifies a 2xx transaction status body by its `txStatus`. */
export function classifyStatusBody(body: unknown, txid: string | undefined): ArcVerdict {
  const parsed = arcStatusSchema.safeParse(body)
  if (!parsed.success) return undecided('PL4001', 'ARC answered 2xx without a transaction status')
  const answer = parsed.data
  if (txid === undefined || answer.txid?.toLowerCase() !== txid) {
    return undecided('PL4002', `ARC answered about ${answer.txid ?? 'no txid'}, not ${txid ?? 'our tx'}`)
  }
  const txStatus = answer.txStatus
  if ((ARC_ACCEPTED as readonly string[]).includes(txStatus)) return { status: 'accepted', txid, txStatus }
  if (txStatus === 'REJECTED') return rejected('PL2010', answer.extraInfo || 'REJECTED')
  if (txStatus === 'DOUBLE_SPEND_ATTEMPTED') {
    return rejected('PL2011', answer.extraInfo || 'DOUBLE_SPEND_ATTEMPTED', answer.competingTxs ?? [])
  }
  return { status: 'pending', txStatus }
}
