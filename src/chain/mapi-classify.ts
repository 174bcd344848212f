/**
 * mAPI 1.5.0 answers opened and classified (protocols-p4.md §12.2, §12.3). Every answer is a
 * JSONEnvelope: a signed one must verify (and be signed by the configured miner key, when there
 * is one); an unsigned one is taken only when no miner key is configured and a signature is not
 * required. A submission is accepted on `success` or on a `failure` saying the tx is already
 * known (a resubmission: mAPI's one verdict given only as text); `conflictedWith` is a double
 * spend (`PL2011`); `failureRetryable` is undecided (`PL4001`); any other failure is `PL2010`.
 */
import { z } from 'zod'
import { type BroadcastResult, rejected, undecided } from './broadcast-result.ts'
import { isSigned, jsonEnvelopeSchema, parseEnvelopePayload, verifyEnvelope } from './json-envelope.ts'

/** An envelope's payload once trusted, or why it is not. */
export type OpenedEnvelope =
  | { ok: true; payload: unknown; publicKey: string | null }
  | { ok: false; detail: string }

/** Opens a mAPI answer's envelope: verified, from `minerKey` when given, then its JSON payload. */
export function openMapiEnvelope(
  body: unknown,
  minerKey: string | undefined,
  requireSigned: boolean,
): OpenedEnvelope {
  const env = jsonEnvelopeSchema.safeParse(body)
  if (!env.success) return { ok: false, detail: 'answer is not a JSONEnvelope' }
  if (isSigned(env.data)) {
    if (!verifyEnvelope(env.data, minerKey)) {
      return { ok: false, detail: 'JSONEnvelope signature does not verify against the miner key' }
    }
  } else if (requireSigned || minerKey !== undefined) {
    return { ok: false, detail: 'JSONEnvelope is not signed' }
  }
  try {
    return { ok: true, payload: parseEnvelopePayload(env.data), publicKey: env.data.publicKey }
  } catch {
    return { ok: false, detail: 'JSONEnvelope payload is not JSON' }
  }
}

/** The payload of `POST /mapi/tx` (fields this client reads). */
const submitPayloadSchema = z.object({
  txid: z.string().nullish(),
  returnResult: z.string(),
  resultDescription: z.string().nullish(),
  failureRetryable: z.boolean().nullish(),
  conflictedWith: z.array(z.object({ txid: z.string() })).nullish(),
})

/**
 * "Already known" in the words of mAPI and the node behind it: `Transaction already in the
 * mempool`, `txn-already-known`, `txn-already-in-mempool`, `Already known`.
 */
const ALREADY_KNOWN = /already (known|in (the )?mempool)|txn-already-(known|in-mempool)/i

/** Classifies a trusted `POST /mapi/tx` payload about the tx `txid`. */
export function classifyMapiSubmit(payload: unknown, txid: string | undefined): BroadcastResult {
  const parsed = submitPayloadSchema.safeParse(payload)
  if (!parsed.success) return undecided('PL4001', 'mAPI answered without a submission result')
  const answer = parsed.data
  const about = answer.txid ? answer.txid.toLowerCase() : txid
  if (about === undefined || (txid !== undefined && about !== txid)) {
    return undecided('PL4002', `mAPI answered about ${answer.txid ?? 'no txid'}, not ${txid ?? 'our tx'}`)
  }
  const description = answer.resultDescription ?? ''
  if (answer.returnResult === 'success') return { status: 'accepted', txid: about, txStatus: 'success' }
  if (answer.returnResult !== 'failure') {
    return undecided('PL4001', `mAPI returnResult ${answer.returnResult}`)
  }
  if (ALREADY_KNOWN.test(description)) return { status: 'accepted', txid: about, txStatus: description }
  const conflicts = (answer.conflictedWith ?? []).map((c) => c.txid)
  if (conflicts.length > 0) return rejected('PL2011', description || 'double spend', conflicts)
  if (answer.failureRetryable === true) return undecided('PL4001', `mAPI (retryable): ${description}`)
  return rejected('PL2010', description || 'mAPI refused the transaction')
}
