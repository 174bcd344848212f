/**
 * What a broadcast comes to (protocols-p4.md §12, §10 step 12), for ARC and mAPI alike: accepted;
 * rejected for good (`PL2010`, or `PL2011` for a double spend); or undecided, to be retried
 * (`PL4001` broadcaster down or failing, `PL4002` outcome not yet known, `PL4003` our credentials
 * refused). Expected outcomes are these values, never throws. `Broadcaster` is the one interface
 * the merchant needs, so either client can serve it.
 */
import { hexToBytes } from '../core/bytes.ts'
import { parseSubmission } from './transaction-format.ts'
import type { TscProof } from './tsc-proof.ts'

/** The broadcaster took the transaction; `txStatus` is its word for how far it got. */
export interface BroadcastAccepted {
  status: 'accepted'
  txid: string
  txStatus: string
}

/** The broadcaster refused the transaction: final. */
export interface BroadcastRejected {
  status: 'rejected'
  code: 'PL2010' | 'PL2011'
  detail: string
  /** For a double spend: the transactions already spending the same outputs, when named. */
  competingTxs?: string[]
}

/** No verdict yet: answer 503 with `Retry-After` and broadcast again later. */
export interface BroadcastUndecided {
  status: 'undecided'
  code: 'PL4001' | 'PL4002' | 'PL4003'
  detail: string
}

/** The outcome of one broadcast. */
export type BroadcastResult = BroadcastAccepted | BroadcastRejected | BroadcastUndecided

/** Where the broadcaster should send status and proof callbacks (§12, §13). */
export interface BroadcastCallback {
  callbackUrl?: string
  /** The bare token; each client sends it in its API's form. */
  callbackToken?: string
}

/** What a broadcaster knows of a transaction, for the proof watch's polling (§13 "Fallback"). */
export interface BroadcastStatus {
  mined: boolean
  /** ARC's `txStatus`. */
  txStatus?: string
  blockHash?: string
  blockHeight?: number
  /** ARC: the BUMP (BRC-74) hex. */
  merklePath?: string
  /** mAPI: the TSC proof. */
  proof?: TscProof
}

/** A transaction processor: ARC or mAPI. */
export interface Broadcaster {
  broadcast(rawTxHex: string, callback?: BroadcastCallback): Promise<BroadcastResult>
  /** `undefined` for a transaction the broadcaster does not know; throws when it cannot be asked. */
  status(txid: string): Promise<BroadcastStatus | undefined>
}

/** A rejection, with `competingTxs` only when there are some. */
export function rejected(
  code: BroadcastRejected['code'],
  detail: string,
  competingTxs?: string[],
): BroadcastRejected {
  return competingTxs === undefined || competingTxs.length === 0
    ? { status: 'rejected', code, detail }
    : { status: 'rejected', code, detail, competingTxs }
}

/** An undecided outcome. */
export function undecided(code: BroadcastUndecided['code'], detail: string): BroadcastUndecided {
  return { status: 'undecided', code, detail }
}

/** The txid of a submission's hex (raw, EF, or a BEEF's subject), or undefined if it is unparsable. */
export function submittedTxid(rawTxHex: string): string | undefined {
  try {
    return parseSubmission(hexToBytes(rawTxHex)).tx.id('hex')
  } catch {
    return undefined
  }
}
