/**
 * SPV verification of a Payment's ancestry (protocols-p4.md §9 "Verification order"), steps
 * (2)–(5) and (7): (2) the tip is the payment and carries no proof (`PL3007`); (3) every input of
 * every unproven tx has its source in the ancestry and every chain of unproven txs ends at a
 * proven tx (`PL3003`), whose proofs are confirmed by the headers in one batch (`PL3004`,
 * `PL3005`); (4) the scripts of every input of every unproven tx are evaluated in full and
 * (5) Σin ≥ Σout for each unproven tx (`PL3006`); (7) a proven coinbase source is mature. Step (6),
 * the fee rule, is the caller's: it gets the payment's input satoshis.
 *
 * An immature coinbase source is `PL3006`: its proof is sound, the spend is what is invalid.
 * Only the payment's own ancestry is examined; unrelated txs a plain BEEF may carry are ignored
 * (they still count against `maxTxs`).
 */
import type { Transaction, TransactionInput } from '@bsv/sdk'
import type { ErrorCode } from '../core/error-codes.ts'
import { PaylinkError } from '../core/errors.ts'
import type { Ancestry, AncestryEntry } from './ancestry.ts'
import type { HeaderSource } from './headers-client.ts'
import { outpointOf, sourceTxid } from './outpoint.ts'
import { type SourceOutput, verifyScripts } from './script-verify.ts'
import { confirmProofs, type ProvenAt } from './spv-proofs.ts'

/** The codes SPV answers with (§11). */
export type SpvCode = Extract<ErrorCode, 'PL3002' | 'PL3003' | 'PL3004' | 'PL3005' | 'PL3006' | 'PL3007'>

/** The outcome: valid, with the payment's total input satoshis, or the first failure. */
export type SpvResult = { ok: true; inputSatoshis: number } | { ok: false; code: SpvCode; detail: string }

/** Limits (§9 "Caps") and the coinbase maturity of the chain. */
export interface SpvOptions {
  /** Most transactions an ancestry may hold; default 1000 (`PL3002` beyond). */
  maxTxs?: number
  /** Most distinct merkle proofs; default 64 (`PL3002` beyond). */
  maxBumps?: number
  /** Blocks before a coinbase may be spent; default 100 (tip height − its height ≥ 99). */
  coinbaseMaturity?: number
}

const SPV_CODES: readonly ErrorCode[] = ['PL3002', 'PL3003', 'PL3004', 'PL3005', 'PL3006', 'PL3007']

/** The payment's unproven ancestry (payment first) and the proven txs it stands on. */
interface Walk {
  unproven: Map<string, Transaction>
  proven: Map<string, AncestryEntry>
}

/** Verifies `ancestry` for `paymentTx` against `headers`; never throws for a bad ancestry. */
export async function verifyAncestry(
  ancestry: Ancestry,
  paymentTx: Transaction,
  headers: HeaderSource,
  opts: SpvOptions = {},
): Promise<SpvResult> {
  try {
    checkTip(ancestry, paymentTx)
    checkCaps(ancestry, opts.maxTxs ?? 1000, opts.maxBumps ?? 64)
    const walk = walkAncestry(ancestry, paymentTx)
    const proven = await confirmProofs(walk.proven, headers)
    const source = sourceOf(ancestry)
    for (const [txid, tx] of walk.unproven) checkScripts(txid, tx, source)
    for (const [txid, tx] of walk.unproven) checkAmounts(txid, tx, source)
    await checkMaturity(proven, headers, opts.coinbaseMaturity ?? 100)
    const inputSatoshis = paymentTx.inputs.reduce((sum, input) => sum + BigInt(source(input).satoshis), 0n)
    return { ok: true, inputSatoshis: Number(inputSatoshis) }
  } catch (err) {
    if (err instanceof PaylinkError && SPV_CODES.includes(err.code)) {
      return { ok: false, code: err.code as SpvCode, detail: err.message }
    }
    throw err
  }
}

/** The output an input spends; only called once the walk has found every source. */
type SourceOf = (input: TransactionInput) => SourceOutput

function sourceOf(ancestry: Ancestry): SourceOf {
  return (input) => {
    const output = ancestry.txs.get(sourceTxid(input))!.tx.outputs[input.sourceOutputIndex]!
    return { satoshis: output.satoshis ?? 0, lockingScript: output.lockingScript }
  }
}

/** (2) The tip is the payment and carries no proof. */
function checkTip(ancestry: Ancestry, paymentTx: Transaction): void {
  const txid = paymentTx.id('hex')
  const tip = ancestry.subject.id('hex')
  if (tip !== txid) throw new PaylinkError('PL3007', `the ancestry's tip is ${tip}, not the payment ${txid}`)
  if (ancestry.txs.get(txid)?.proof !== undefined) {
    throw new PaylinkError('PL3007', 'the payment carries a merkle proof: it is not unconfirmed')
  }
}

function checkCaps(ancestry: Ancestry, maxTxs: number, maxBumps: number): void {
  if (ancestry.txs.size > maxTxs) {
    throw new PaylinkError('PL3002', `ancestry holds ${ancestry.txs.size} transactions; at most ${maxTxs}`)
  }
  const proofs = new Set<unknown>()
  for (const { proof } of ancestry.txs.values()) {
    if (proof !== undefined) proofs.add(proof.kind === 'bump' ? proof.path : proof)
  }
  if (proofs.size > maxBumps) {
    throw new PaylinkError('PL3002', `ancestry holds ${proofs.size} merkle proofs; at most ${maxBumps}`)
  }
}

/** (3) From the payment down: each unproven tx's parents are present, and each chain ends proven. */
function walkAncestry(ancestry: Ancestry, paymentTx: Transaction): Walk {
  const paymentTxid = paymentTx.id('hex')
  const walk: Walk = { unproven: new Map([[paymentTxid, paymentTx]]), proven: new Map() }
  const spent = new Set<string>()
  const queue = [paymentTxid]
  for (let txid = queue.pop(); txid !== undefined; txid = queue.pop()) {
    const tx = walk.unproven.get(txid)!
    if (tx.inputs.length === 0) throw breakAt(txid, 'it has no inputs and no proof')
    for (const [i, input] of tx.inputs.entries()) {
      const parentTxid = sourceTxid(input)
      const parent = ancestry.txs.get(parentTxid)
      if (parent === undefined) throw breakAt(txid, `input ${i} spends ${parentTxid}, which is missing`)
      if (parent.tx.outputs[input.sourceOutputIndex] === undefined) {
        throw new PaylinkError('PL3006', `${txid} input ${i} spends an output ${parentTxid} does not have`)
      }
      const outpoint = outpointOf(input)
      if (spent.has(outpoint)) throw new PaylinkError('PL3006', `${outpoint} is spent twice in the ancestry`)
      spent.add(outpoint)
      if (parent.proof !== undefined) walk.proven.set(parentTxid, parent)
      else if (!walk.unproven.has(parentTxid)) {
        walk.unproven.set(parentTxid, parent.tx)
        queue.push(parentTxid)
      }
    }
  }
  return walk
}

function breakAt(txid: string, why: string): PaylinkError {
  return new PaylinkError(
    'PL3003',
    `break in the ancestry missing either a parent transaction or a proof: ${txid}: ${why}`,
  )
}

/** (4) Every input's scripts, evaluated in full. */
function checkScripts(txid: string, tx: Transaction, source: SourceOf): void {
  let failure: ReturnType<typeof verifyScripts>
  try {
    failure = verifyScripts(tx, tx.inputs.map(source))
  } catch (err) {
    failure = { inputIndex: -1, reason: (err as Error).message }
  }
  if (failure !== null) {
    throw new PaylinkError('PL3006', `${txid} input ${failure.inputIndex}: ${failure.reason}`)
  }
}

/** (5) Σin ≥ Σout, in exact integers. */
function checkAmounts(txid: string, tx: Transaction, source: SourceOf): void {
  const spent = tx.inputs.reduce((sum, input) => sum + BigInt(source(input).satoshis), 0n)
  const paid = tx.outputs.reduce((sum, output) => sum + BigInt(output.satoshis ?? 0), 0n)
  if (spent < paid) throw new PaylinkError('PL3006', `${txid} spends ${spent} satoshis and pays out ${paid}`)
}

/** (7) A coinbase source needs tip height − its height ≥ maturity − 1. */
async function checkMaturity(proven: ReadonlyMap<string, ProvenAt>, headers: HeaderSource, maturity: number) {
  const coinbases = [...proven].filter(([, at]) => at.coinbase)
  if (coinbases.length === 0) return
  const tip = await headers.currentHeight()
  for (const [txid, at] of coinbases) {
    if (tip - at.height < maturity - 1) {
      throw new PaylinkError('PL3006', `coinbase ${txid} of height ${at.height} is immature at tip ${tip}`)
    }
  }
}
