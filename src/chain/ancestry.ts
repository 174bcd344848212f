/**
 * A Payment's ancestry (protocols-p4.md §9 "Ancestry formats"): the transactions behind it and
 * the merkle proofs of its mined ancestors, read from any of the four forms, told apart by their
 * first bytes: BEEF (`0100beef`, BRC-62), BEEF V2 (`0200beef`, BRC-96), Atomic BEEF (`01010101`
 * + subject txid, BRC-95) and go-bc binary ancestry (`01` `01`, see `ancestry-binary.ts`).
 * Parsing checks form only; whether the ancestry proves anything is `spv.ts`'s part.
 */
import type { Beef, BeefTx, MerklePath, Transaction } from '@bsv/sdk'
import { bytesToHex } from '../core/bytes.ts'
import { PaylinkError } from '../core/errors.ts'
import { parseBinaryAncestry } from './ancestry-binary.ts'
import { sourceTxid } from './outpoint.ts'
import { parseSubmission } from './transaction-format.ts'
import type { TscProof } from './tsc-proof.ts'

/** The form an ancestry came in. */
export type AncestryFormat = 'beef' | 'beef-v2' | 'atomic-beef' | 'binary'

/** A merkle proof of one ancestor: a BUMP (BEEF) or a TSC proof (binary ancestry). */
export type AncestryProof = { kind: 'bump'; path: MerklePath } | { kind: 'tsc'; proof: TscProof }

/** One transaction of an ancestry, its proof when it is mined, and (binary form) mAPI responses. */
export interface AncestryEntry {
  tx: Transaction
  proof?: AncestryProof
  /** The mAPI responses a binary ancestry carried for this tx, byte-exact and unverified. */
  mapiResponses?: Uint8Array[]
}

/** A parsed ancestry: its form, its subject (the tip: the payment) and every tx by txid. */
export interface Ancestry {
  format: AncestryFormat
  subject: Transaction
  txs: Map<string, AncestryEntry>
}

const MAGIC: Record<string, AncestryFormat> = {
  '0100beef': 'beef',
  '0200beef': 'beef-v2',
  '01010101': 'atomic-beef',
}

/** The form of `bytes` by their first bytes, or undefined for none of the four. */
export function detectAncestryFormat(bytes: Uint8Array): AncestryFormat | undefined {
  const format = MAGIC[bytesToHex(bytes.subarray(0, 4))]
  if (format !== undefined) return format
  // go-bc binary: version 1, then flag 1 (a raw tx). Never Atomic BEEF: the third byte is a tx
  // length, and no transaction is 1 byte long.
  return bytes[0] === 1 && bytes[1] === 1 ? 'binary' : undefined
}

/**
 * Parses an ancestry. The subject is the Atomic BEEF's subject, the last tx of a BEEF, or the
 * first tx of binary ancestry. Throws `PL3002` when the bytes are not an ancestry in a supported
 * form (txid-only BEEF V2 entries, duplicate txs, BUMP indexes out of range, an Atomic BEEF
 * holding a tx that is not an ancestor of its subject), and `PL3007` when `paymentTxid` is given
 * and the subject is another tx.
 */
export function parseAncestry(bytes: Uint8Array, paymentTxid?: string): Ancestry {
  const format = detectAncestryFormat(bytes)
  if (format === undefined) throw new PaylinkError('PL3002', 'ancestry of an unknown format')
  const { subject, txs } = unparsableAsPL3002(() =>
    format === 'binary' ? parseBinaryAncestry(bytes) : fromBeef(bytes),
  )
  const subjectTxid = subject.id('hex')
  if (paymentTxid !== undefined && subjectTxid !== paymentTxid.toLowerCase()) {
    throw new PaylinkError('PL3007', `ancestry is for ${subjectTxid}, not the payment ${paymentTxid}`)
  }
  return { format, subject, txs }
}

function unparsableAsPL3002<T>(parse: () => T): T {
  try {
    return parse()
  } catch (cause) {
    if (cause instanceof PaylinkError) throw cause
    throw new PaylinkError('PL3002', `ancestry unparsable: ${(cause as Error).message}`, { cause })
  }
}

function fromBeef(bytes: Uint8Array): { subject: Transaction; txs: Map<string, AncestryEntry> } {
  const { beef } = parseSubmission(bytes)
  if (beef === undefined) throw new PaylinkError('PL3002', 'not a BEEF')
  const txs = new Map<string, AncestryEntry>()
  for (const btx of beef.txs) {
    if (txs.has(btx.txid)) throw new PaylinkError('PL3002', `BEEF holds ${btx.txid} twice`)
    txs.set(btx.txid, entryOf(btx, beef))
  }
  const subjectTxid = beef.atomicTxid ?? beef.txs.at(-1)?.txid
  const subject = subjectTxid === undefined ? undefined : txs.get(subjectTxid)
  if (subject === undefined) throw new PaylinkError('PL3002', 'BEEF lacks its subject transaction')
  if (beef.atomicTxid !== undefined) assertOnlyAncestors(beef.atomicTxid, txs)
  return { subject: subject.tx, txs }
}

function entryOf(btx: BeefTx, beef: Beef): AncestryEntry {
  const tx = btx.isTxidOnly ? undefined : btx.tx
  if (tx === undefined) throw new PaylinkError('PL3002', `BEEF entry ${btx.txid} is txid-only`)
  if (btx.bumpIndex === undefined) return { tx }
  const path = beef.bumps[btx.bumpIndex]
  if (path === undefined) throw new PaylinkError('PL3002', `BEEF entry ${btx.txid}: no BUMP ${btx.bumpIndex}`)
  return { tx, proof: { kind: 'bump', path } }
}

/** BRC-95: an Atomic BEEF holds its subject and the subject's ancestors, nothing else. */
function assertOnlyAncestors(subject: string, txs: ReadonlyMap<string, AncestryEntry>): void {
  const reached = new Set([subject])
  const queue = [subject]
  for (let txid = queue.pop(); txid !== undefined; txid = queue.pop()) {
    for (const input of txs.get(txid)?.tx.inputs ?? []) {
      const parent = sourceTxid(input)
      if (reached.has(parent) || !txs.has(parent)) continue
      reached.add(parent)
      queue.push(parent)
    }
  }
  if (reached.size !== txs.size) {
    throw new PaylinkError('PL3002', 'Atomic BEEF holds transactions that are not ancestors of its subject')
  }
}
