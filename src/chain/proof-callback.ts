/**
 * Broadcaster callbacks as proof sinks receive them (PROTOCOLS.md P4 §12.1, §12.2, §13): ARC's
 * single or batched `{txid, txStatus, merklePath, blockHash, blockHeight}`, and mAPI's
 * merkle-proof and double-spend callbacks, bare or inside a JSONEnvelope (`callbackTxID` accepted
 * as an alias). Each is read into events: a merkle proof to verify, or a status change. A mAPI
 * proof in the non-TSC form is refused (`PL6002`, defect D15 of the reference sink).
 */
import { MerklePath } from '@bsv/sdk'
import { z } from 'zod'
import { PaylinkError } from '../core/errors.ts'
import type { HeaderSource } from './headers-client.ts'
import { isSigned, jsonEnvelopeSchema, parseEnvelopePayload, verifyEnvelope } from './json-envelope.ts'
import { merklePathFromTsc, parseTscProof, type TscProof, tscRoot, tscTarget } from './tsc-proof.ts'

/** One event of a callback body. */
export type CallbackEvent =
  | { kind: 'proof'; txid: string; bump?: string; tsc?: TscProof; blockHash?: string; blockHeight?: number }
  | { kind: 'status'; txid: string; status: string; competingTxs?: string[] }

const hex64 = z.string().regex(/^[0-9a-fA-F]{64}$/)
const arcCallback = z.object({
  txid: hex64,
  txStatus: z.string(),
  merklePath: z.string().nullish(),
  blockHash: z.string().nullish(),
  blockHeight: z.number().int().nonnegative().nullish(),
  competingTxs: z.array(z.string()).nullish(),
})
const mapiCallback = z.object({
  callbackPayload: z.unknown(),
  callbackTxId: hex64.optional(),
  callbackTxID: hex64.optional(),
  callbackReason: z.string(),
  blockHash: z.string().nullish(),
  blockHeight: z.number().int().nonnegative().nullish(),
})

/** Reads a callback body into events; throws `PL6002` for a shape it does not know. */
export function readCallback(body: unknown): CallbackEvent[] {
  const envelope = jsonEnvelopeSchema.safeParse(body)
  if (envelope.success) {
    if (isSigned(envelope.data) && !verifyEnvelope(envelope.data))
      throw new PaylinkError('PL6005', 'callback envelope signature invalid')
    return readCallback(parseEnvelopePayload(envelope.data))
  }
  const batch = z.object({ callbacks: z.array(z.unknown()).max(1000) }).safeParse(body)
  if (batch.success) return batch.data.callbacks.flatMap(readCallback)
  const arc = arcCallback.safeParse(body)
  if (arc.success) return [fromArc(arc.data)]
  const mapi = mapiCallback.safeParse(body)
  if (mapi.success) return [fromMapi(mapi.data)]
  throw new PaylinkError('PL6002', 'callback body of an unknown shape')
}

function fromArc(c: z.infer<typeof arcCallback>): CallbackEvent {
  const txid = c.txid.toLowerCase()
  if (c.txStatus === 'MINED' && c.merklePath) {
    return { kind: 'proof', txid, bump: c.merklePath, ...(c.blockHash ? { blockHash: c.blockHash } : {}) }
  }
  return {
    kind: 'status',
    txid,
    status: c.txStatus,
    ...(c.competingTxs ? { competingTxs: c.competingTxs } : {}),
  }
}

function fromMapi(c: z.infer<typeof mapiCallback>): CallbackEvent {
  const txid = (c.callbackTxId ?? c.callbackTxID)?.toLowerCase()
  if (txid === undefined) throw new PaylinkError('PL6002', 'mAPI callback without callbackTxId')
  if (c.callbackReason !== 'merkleProof') return { kind: 'status', txid, status: c.callbackReason }
  const payload = typeof c.callbackPayload === 'string' ? safeJson(c.callbackPayload) : c.callbackPayload
  const tsc = parseTscProof(payload)
  return {
    kind: 'proof',
    txid,
    tsc,
    ...(c.blockHash ? { blockHash: c.blockHash } : {}),
    ...(c.blockHeight != null ? { blockHeight: c.blockHeight } : {}),
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new PaylinkError('PL6002', 'callbackPayload is not JSON')
  }
}

/** A verified proof: the BUMP (TSC proofs converted) and its block. */
export interface VerifiedProof {
  path: MerklePath
  blockHash: string
  blockHeight: number
}

/**
 * Verifies a proof event for `txid` against the headers (§9 Headers, §13 "Verify"): `PL6003` when
 * it is for another transaction, `PL6004` when it does not verify or its block is not on the
 * longest chain, `PL3005` when the headers service cannot tell.
 */
export async function verifyProof(
  event: Extract<CallbackEvent, { kind: 'proof' }>,
  txid: string,
  headers: HeaderSource,
): Promise<VerifiedProof> {
  if (event.txid !== txid) throw new PaylinkError('PL6003', `proof is for ${event.txid}, not ${txid}`)
  if (event.bump !== undefined) return verifyBump(event.bump, txid, event.blockHash ?? '', headers)
  const proof = event.tsc!
  const root = tscRoot(proof, txid)
  const target = tscTarget(proof)
  const hash = target.blockHash ?? event.blockHash
  if (hash === undefined) throw new PaylinkError('PL6004', 'a merkleRoot target needs the block hash')
  const state = await headers.headerState(hash)
  if (state === undefined || state.state !== 'LONGEST_CHAIN')
    throw new PaylinkError('PL6004', `block ${hash} is not on the longest chain`)
  if (state.merkleRoot.toLowerCase() !== root)
    throw new PaylinkError('PL6004', 'the proof does not lead to the block merkle root')
  return { path: merklePathFromTsc(proof, state.height), blockHash: state.hash, blockHeight: state.height }
}

/** A BUMP proof: its root must be the root at its height; the block hash is the callback's word. */
async function verifyBump(
  hex: string,
  txid: string,
  blockHash: string,
  headers: HeaderSource,
): Promise<VerifiedProof> {
  let path: MerklePath
  let root: string
  try {
    path = MerklePath.fromHex(hex)
    root = path.computeRoot(txid)
  } catch (err) {
    throw new PaylinkError('PL6004', `merkle path unusable: ${(err as Error).message}`)
  }
  const verdict = await headers.verifyRoots([{ blockHeight: path.blockHeight, merkleRoot: root }])
  if (verdict === 'UNABLE_TO_VERIFY')
    throw new PaylinkError('PL3005', 'the headers service could not verify the proof')
  if (verdict === 'INVALID') throw new PaylinkError('PL6004', 'the merkle root is not on the longest chain')
  return { path, blockHash, blockHeight: path.blockHeight }
}
