/**
 * Reads a submitted transaction in any of the forms ARC accepts (PROTOCOLS.md §12.1, §9):
 * plain raw bytes, Extended Format (BRC-30, marker `0000000000ef` after the version), BEEF
 * (BRC-62, `0100beef` / `0200beef`) and Atomic BEEF (BRC-95, `01010101` + subject txid).
 * The bytes are walked with a bounds-checked cursor before `@bsv/sdk` parses them (see
 * `wire-cursor.ts`): its readers read zeros past the end and keep the raw bytes as the txid's
 * preimage, so a truncated or padded transaction would otherwise parse, under another txid.
 */
import { Beef, LockingScript, Transaction } from '@bsv/sdk'
import { bytesToHex, concatBytes } from '../core/bytes.ts'
import { WireCursor } from './wire-cursor.ts'

export type TransactionFormat = 'raw' | 'ef' | 'beef'

/** A parsed submission: the subject transaction and, for BEEF, the whole bundle. */
export interface Submission {
  format: TransactionFormat
  tx: Transaction
  beef?: Beef
}

const BEEF_V1 = '0100beef'
const BEEF_V2 = '0200beef'
const ATOMIC = '01010101'
const EF_MARKER = 6
/** BRC-96 (BEEF V2) transaction entry kinds. */
const TXID_ONLY = 2
const RAWTX_AND_BUMP_INDEX = 1

/** Which form `bytes` is in, by their first bytes. */
export function detectFormat(bytes: Uint8Array): TransactionFormat {
  const magic = bytesToHex(bytes.subarray(0, 4))
  if (magic === BEEF_V1 || magic === BEEF_V2 || magic === ATOMIC) return 'beef'
  if (bytesToHex(bytes.subarray(4, 10)) === '0000000000ef') return 'ef'
  return 'raw'
}

/**
 * Parses a submission. Throws a plain `Error` when the bytes are not a transaction in the form
 * they claim: truncated, a count larger than the bytes, or trailing bytes after it.
 */
export function parseSubmission(bytes: Uint8Array): Submission {
  const format = detectFormat(bytes)
  const cursor = new WireCursor(bytes)
  if (format === 'beef') {
    walkBeef(cursor)
    cursor.end()
    const beef = Beef.fromBinary(bytes)
    const txid = beef.atomicTxid ?? beef.txs.at(-1)?.txid
    if (txid === undefined) throw new Error('BEEF holds no transaction')
    const tx = beef.findAtomicTransaction(txid)
    if (tx === undefined) throw new Error('BEEF subject transaction missing')
    return { format, tx, beef }
  }
  const walked = walkTransaction(cursor, format === 'ef')
  cursor.end()
  return { format, tx: format === 'ef' ? fromWalkedEf(walked) : Transaction.fromBinary(bytes) }
}

/** An EF input's source output (BRC-30), as carried after the input's sequence. */
interface EfSource {
  vout: number
  satoshis: number
  lockingScript: Uint8Array
}

/** One transaction walked: its raw bytes (EF extensions dropped) and, for EF, its sources. */
interface Walked {
  raw: Uint8Array[]
  sources: EfSource[]
}

function walkTransaction(c: WireCursor, ef: boolean): Walked {
  const raw = [c.take(4)]
  if (ef) c.take(EF_MARKER)
  const sources: EfSource[] = []
  let from = c.pos
  const inputs = c.varint()
  for (let i = 0; i < inputs; i++) {
    c.take(32)
    const vout = Number(c.uintLE(4))
    c.take(c.varint())
    c.take(4)
    if (!ef) continue
    raw.push(c.since(from))
    const satoshis = Number(c.uintLE(8))
    sources.push({ vout, satoshis, lockingScript: c.take(c.varint()) })
    from = c.pos
  }
  const outputs = c.varint()
  for (let i = 0; i < outputs; i++) {
    c.take(8)
    c.take(c.varint())
  }
  c.take(4)
  raw.push(c.since(from))
  return { raw, sources }
}

/**
 * The transaction of a walked EF submission, each input carrying its source output. Built here
 * rather than by `Transaction.fromEF`, which allocates an array of `vout + 1` entries per input.
 */
function fromWalkedEf(walked: Walked): Transaction {
  const tx = Transaction.fromBinary(concatBytes(...walked.raw))
  for (const [i, s] of walked.sources.entries()) {
    const source = new Transaction()
    source.outputs = []
    source.outputs[s.vout] = {
      satoshis: s.satoshis,
      lockingScript: LockingScript.fromBinary(Array.from(s.lockingScript)),
    }
    tx.inputs[i]!.sourceTransaction = source
  }
  return tx
}

/** Walks a BEEF (BRC-62 V1, BRC-96 V2, optionally inside BRC-95 Atomic BEEF). */
function walkBeef(c: WireCursor): void {
  let version = bytesToHex(c.take(4))
  if (version === ATOMIC) {
    c.take(32)
    version = bytesToHex(c.take(4))
  }
  if (version !== BEEF_V1 && version !== BEEF_V2) throw new Error(`not a BEEF version: ${version}`)
  const bumps = c.varint()
  for (let i = 0; i < bumps; i++) walkBump(c)
  const txs = c.varint()
  for (let i = 0; i < txs; i++) {
    if (version === BEEF_V1) {
      walkTransaction(c, false)
      if (c.u8() !== 0) c.varint()
      continue
    }
    const kind = c.u8()
    if (kind === TXID_ONLY) {
      c.take(32)
      continue
    }
    if (kind === RAWTX_AND_BUMP_INDEX) c.varint()
    walkTransaction(c, false)
  }
}

/** Walks a BUMP (BRC-74): block height, tree height, then per level its leaves. */
function walkBump(c: WireCursor): void {
  c.varint()
  const levels = c.u8()
  for (let level = 0; level < levels; level++) {
    const leaves = c.varint()
    for (let i = 0; i < leaves; i++) {
      c.varint()
      // Flag bit 0: a duplicate leaf carries no hash.
      if ((c.u8() & 1) === 0) c.take(32)
    }
  }
}
