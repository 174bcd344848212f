/**
 * Confirming the proven ancestors of a payment against the headers (protocols-p4.md §9 "Merkle
 * paths", "Headers"): each proof gives a merkle root; BUMPs and TSC `merkleRoot` targets are
 * checked in ONE `merkleroot/verify` batch, TSC `hash`/`header` targets by the header's state
 * (LONGEST_CHAIN, and the root must be its merkle root). A `merkleRoot` target needs a height from
 * context: the `blockHeight` of a mAPI response carried with it (binary ancestry), else `PL3004`.
 */

import { bytesToUtf8 } from '../core/bytes.ts'
import { PaylinkError } from '../core/errors.ts'
import type { AncestryEntry, AncestryProof } from './ancestry.ts'
import type { HeaderSource, HeaderState, RootAtHeight } from './headers-client.ts'
import { parseEnvelopePayload, parseJsonEnvelope } from './json-envelope.ts'
import { tscRoot, tscTarget } from './tsc-proof.ts'

/** Where a proven ancestor is: its block height and whether it is its block's coinbase (offset 0). */
export interface ProvenAt {
  height: number
  coinbase: boolean
}

/** A proof's claim, before the headers have been asked. */
type Claim = { root: string; index: number } & ({ blockHeight: number } | { blockHash: string })

/**
 * Confirms every proof of `proven` (txid → entry with a proof); returns where each tx is.
 * Throws `PL3004` for a proof that does not verify and `PL3005` when the headers cannot tell.
 */
export async function confirmProofs(
  proven: ReadonlyMap<string, AncestryEntry>,
  headers: HeaderSource,
): Promise<Map<string, ProvenAt>> {
  const claims = new Map<string, Claim>()
  for (const [txid, entry] of proven) claims.set(txid, claimOf(txid, entry))
  const batch = new Map<string, RootAtHeight>()
  for (const claim of claims.values()) {
    if ('blockHeight' in claim) {
      batch.set(`${claim.blockHeight}:${claim.root}`, {
        blockHeight: claim.blockHeight,
        merkleRoot: claim.root,
      })
    }
  }
  const verdict = await headers.verifyRoots([...batch.values()])
  if (verdict === 'INVALID') throw new PaylinkError('PL3004', 'a merkle root is not on the longest chain')
  if (verdict === 'UNABLE_TO_VERIFY') throw new PaylinkError('PL3005', 'headers service unable to verify')
  const states = new Map<string, HeaderState | undefined>()
  const out = new Map<string, ProvenAt>()
  for (const [txid, claim] of claims) {
    if ('blockHash' in claim && !states.has(claim.blockHash)) {
      states.set(claim.blockHash, await headers.headerState(claim.blockHash))
    }
    const height = 'blockHeight' in claim ? claim.blockHeight : checkBlock(claim, states.get(claim.blockHash))
    out.set(txid, { height, coinbase: claim.index === 0 })
  }
  return out
}

function claimOf(txid: string, entry: AncestryEntry): Claim {
  const proof = entry.proof as AncestryProof
  try {
    if (proof.kind === 'bump') {
      const root = proof.path.computeRoot(txid)
      const index = proof.path.path[0]?.find((leaf) => leaf.hash === txid)?.offset ?? -1
      return { root, index, blockHeight: proof.path.blockHeight }
    }
    const root = tscRoot(proof.proof, txid)
    const target = tscTarget(proof.proof)
    if (target.merkleRoot !== undefined && target.merkleRoot !== root)
      throw new Error('target is another root')
    if (target.blockHash !== undefined) return { root, index: proof.proof.index, blockHash: target.blockHash }
    const blockHeight = mapiBlockHeight(entry.mapiResponses ?? [], txid)
    if (blockHeight === undefined) throw new Error('a merkleRoot target without a block height')
    return { root, index: proof.proof.index, blockHeight }
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause)
    throw new PaylinkError('PL3004', `proof of ${txid} does not verify: ${why}`, { cause })
  }
}

/** The height of a TSC `hash`/`header` target's block, once its state and root have been checked. */
function checkBlock(claim: Claim & { blockHash: string }, state: HeaderState | undefined): number {
  if (state === undefined) throw new PaylinkError('PL3004', `block ${claim.blockHash} is not known`)
  if (state.state !== 'LONGEST_CHAIN') {
    throw new PaylinkError('PL3004', `block ${claim.blockHash} is ${state.state}, not on the longest chain`)
  }
  if (state.merkleRoot !== claim.root) {
    throw new PaylinkError('PL3004', `proof root ${claim.root} is not the root of block ${claim.blockHash}`)
  }
  return state.height
}

/**
 * The `blockHeight` a mAPI response (a callback, bare or in a JSONEnvelope) gives for `txid`.
 * Unverified on purpose: the height only tells the headers service where to look, and a wrong one
 * makes the root fail to confirm.
 */
export function mapiBlockHeight(responses: readonly Uint8Array[], txid: string): number | undefined {
  for (const bytes of responses) {
    const body = openResponse(bytes)
    const height = body?.['blockHeight']
    const about = body?.['callbackTxId'] ?? body?.['callbackTxID'] ?? body?.['txid']
    if (typeof about === 'string' && about.toLowerCase() !== txid) continue
    if (typeof height === 'number' && Number.isSafeInteger(height) && height >= 0) return height
  }
  return undefined
}

function openResponse(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(bytesToUtf8(bytes))
    const body =
      isRecord(json) && typeof json['payload'] === 'string'
        ? parseEnvelopePayload(parseJsonEnvelope(json))
        : json
    return isRecord(body) ? body : undefined
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
