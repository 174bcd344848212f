/**
 * Why the devnet refuses a transaction, in ARC's terms (PROTOCOLS.md §12.1; `bitcoin-sv/arc`
 * `pkg/api/arc.yaml`): each refusal carries the status ARC answers with and its title.
 */

export const ARC_ERRORS = {
  400: 'Bad request',
  460: 'Not extended format',
  461: 'Malformed transaction: unlocking scripts',
  462: 'Invalid inputs',
  463: 'Malformed transaction',
  464: 'Invalid outputs',
  465: 'Fee too low',
  466: 'Conflicting tx found',
  467: 'Mined ancestors not found in BEEF',
  468: 'Invalid BUMPs in BEEF',
  469: 'Invalid Merkle Roots',
} as const

export type ArcErrorStatus = keyof typeof ARC_ERRORS

/** A refused transaction: nothing about the ledger changed. */
export interface Rejection {
  kind: 'rejected'
  status: ArcErrorStatus
  txid: string
  detail: string
  /** For 466: the transactions already spending the same inputs. */
  competingTxs?: string[]
}

/** Builds a rejection. */
export function reject(
  status: ArcErrorStatus,
  txid: string,
  detail: string,
  competingTxs?: string[],
): Rejection {
  return competingTxs === undefined
    ? { kind: 'rejected', status, txid, detail }
    : { kind: 'rejected', status, txid, detail, competingTxs }
}
