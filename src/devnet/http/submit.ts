/**
 * Submitting a transaction, shared by the ARC and mAPI front ends: parse the bytes in any form
 * (raw, EF, BEEF), check a BEEF's merkle paths against our own chain (ARC 467–469), then admit
 * its unconfirmed ancestors and the subject as one package: all of them or none.
 */
import type { Beef, Transaction } from '@bsv/sdk'
import { parseSubmission } from '../../chain/transaction-format.ts'
import type { Acceptance, Ledger } from '../ledger.ts'
import { type Rejection, reject } from '../rejection.ts'
import type { Subscription } from '../subscription.ts'

/** The outcome for one submission; `txid` is '' when the bytes were not a transaction. */
export type SubmitOutcome = Acceptance | Rejection

/** Parses and submits `bytes`, registering `subscription` for the subject transaction. */
export async function submitBytes(
  ledger: Ledger,
  bytes: Uint8Array,
  subscription?: Subscription,
): Promise<SubmitOutcome> {
  let parsed: ReturnType<typeof parseSubmission>
  try {
    parsed = parseSubmission(bytes)
  } catch (err) {
    return reject(463, '', `transaction could not be parsed: ${(err as Error).message}`)
  }
  const { tx, beef } = parsed
  if (beef === undefined) return ledger.accept(tx, subscription)
  const ancestors = await unconfirmedAncestors(ledger, beef, tx)
  if ('kind' in ancestors) return ancestors
  return ledger.acceptPackage([...ancestors, tx], subscription)
}

/**
 * The BEEF's unproven ancestors in order, after checking every BUMP against our chain and that
 * every proven transaction is one of our mined ones; or the refusal.
 */
async function unconfirmedAncestors(
  ledger: Ledger,
  beef: Beef,
  subject: Transaction,
): Promise<Transaction[] | Rejection> {
  const txid = subject.id('hex')
  for (const bump of beef.bumps) {
    let root: string
    try {
      root = bump.computeRoot()
    } catch (err) {
      return reject(468, txid, `invalid BUMP: ${(err as Error).message}`)
    }
    if (ledger.chain.at(bump.blockHeight)?.header.merkleRoot !== root) {
      return reject(469, txid, `merkle root ${root} is not the root of block ${bump.blockHeight}`)
    }
  }
  const ancestors: Transaction[] = []
  for (const entry of beef.txs) {
    if (entry.txid === txid) continue
    if (entry.bumpIndex !== undefined) {
      if ((await ledger.status(entry.txid))?.status !== 'MINED') {
        return reject(467, txid, `ancestor ${entry.txid} is not mined`)
      }
      continue
    }
    if (entry.tx === undefined)
      return reject(467, txid, `ancestor ${entry.txid} has no transaction in the BEEF`)
    ancestors.push(entry.tx)
  }
  return ancestors
}
