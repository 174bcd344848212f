/**
 * go-bc binary ancestry (`libsv/go-bc:spv/ancestry_binary.go`; protocols-p4.md §9 "Ancestry
 * formats"): version byte 1, then chunks `flag, varint length, data`. Flag 1 is a raw tx and
 * starts an entry (the first is the payment); 2 is the binary TSC proof of the entry before; 3
 * holds mAPI responses (a count byte, then per response a varint length and its JSON, kept
 * byte-exact). go-bc skips other flags; we refuse them (`PL3002`), as every count and length is
 * checked against the bytes that are really there.
 */
import type { Transaction } from '@bsv/sdk'
import { PaylinkError } from '../core/errors.ts'
import type { AncestryEntry } from './ancestry.ts'
import { parseSubmission } from './transaction-format.ts'
import { decodeTscBinary } from './tsc-binary.ts'
import { WireCursor } from './wire-cursor.ts'

const VERSION = 1
const FLAG_TX = 1
const FLAG_PROOF = 2
const FLAG_MAPI = 3

/** Reads binary ancestry; throws `PL3002` (or a plain `Error` from the cursor) when malformed. */
export function parseBinaryAncestry(bytes: Uint8Array): {
  subject: Transaction
  txs: Map<string, AncestryEntry>
} {
  const c = new WireCursor(bytes)
  const version = c.u8()
  if (version !== VERSION) throw new PaylinkError('PL3002', `binary ancestry version ${version}`)
  const txs = new Map<string, AncestryEntry>()
  let current: { txid: string; entry: AncestryEntry } | undefined
  while (c.pos < bytes.length) {
    const flag = c.u8()
    const data = c.take(c.varint())
    if (flag === FLAG_TX) {
      current = entryOf(data)
      if (txs.has(current.txid))
        throw new PaylinkError('PL3002', `binary ancestry holds ${current.txid} twice`)
      txs.set(current.txid, current.entry)
    } else if (current === undefined) {
      throw new PaylinkError('PL3002', 'binary ancestry must start with a transaction')
    } else if (flag === FLAG_PROOF) {
      if (current.entry.proof !== undefined)
        throw new PaylinkError('PL3002', `two proofs for ${current.txid}`)
      current.entry.proof = { kind: 'tsc', proof: decodeTscBinary(data, current.txid) }
    } else if (flag === FLAG_MAPI) {
      current.entry.mapiResponses = [...(current.entry.mapiResponses ?? []), ...mapiResponses(data)]
    } else {
      throw new PaylinkError('PL3002', `binary ancestry chunk flag ${flag}`)
    }
  }
  const subject = txs.values().next().value
  if (subject === undefined) throw new PaylinkError('PL3002', 'binary ancestry holds no transaction')
  return { subject: subject.tx, txs }
}

function entryOf(raw: Uint8Array): { txid: string; entry: AncestryEntry } {
  const { format, tx } = parseSubmission(raw)
  if (format !== 'raw') throw new PaylinkError('PL3002', 'binary ancestry tx chunk is not a raw tx')
  return { txid: tx.id('hex'), entry: { tx } }
}

/** A mAPI chunk: a count byte, then `count` responses of varint length + JSON, filling the chunk. */
function mapiResponses(data: Uint8Array): Uint8Array[] {
  const c = new WireCursor(data)
  const count = c.u8()
  const out: Uint8Array[] = []
  while (c.pos < data.length) out.push(c.take(c.varint()).slice())
  if (out.length !== count) {
    throw new PaylinkError('PL3002', `mAPI chunk announces ${count} responses and holds ${out.length}`)
  }
  return out
}
