/**
 * The signed state of a `SignedIOUChannel` (protocols-amiko.md §11): side A is the end with the
 * smaller node key; `stateHash = SHA256(ENC("paylink/amiko/iou-state/1", …))` over the channel's
 * totals and its open (reserved or locked) entries in route-ID byte order. `State.signature` signs
 * the state per §3, i.e. ECDSA over that hash: `sign(key, iouStateData(s))` or
 * `signDigest(key, iouStateHash(s))`, which are equal.
 */
import { bytesToHex, utf8ToBytes } from '../../core/bytes.ts'
import { sha256 } from '../../core/hash.ts'
import { type EncItem, enc, hex } from './enc.ts'

/** One open entry of a channel. */
export interface IouStateEntry {
  routeId: string
  payerIsA: boolean
  amount: number
  isLocked: boolean
  startTime: number | null
  endTime: number | null
}

/** What a channel state commits to; `keyA`/`keyB` are compressed keys (66 hex). */
export interface IouState {
  keyA: string
  keyB: string
  channelIndex: number
  status: string
  countA: number
  countB: number
  balanceA: number
  balanceB: number
  entries: readonly IouStateEntry[]
}

/** Whether the node with `ownKey` is side A against `peerKey` (the smaller key in byte order). */
export function isSideA(ownKey: string, peerKey: string): boolean {
  return ownKey.toLowerCase() < peerKey.toLowerCase()
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

function byRouteId(x: IouStateEntry, y: IouStateEntry): number {
  return compareBytes(utf8ToBytes(x.routeId), utf8ToBytes(y.routeId))
}

/** The encoded state, `ENC("paylink/amiko/iou-state/1", …)`; entries are sorted here. */
export function iouStateData(state: IouState): Uint8Array {
  const entries = [...state.entries].sort(byRouteId)
  const items: EncItem[] = [
    hex(state.keyA),
    hex(state.keyB),
    state.channelIndex,
    state.status,
    state.countA,
    state.countB,
    state.balanceA,
    state.balanceB,
    entries.length,
  ]
  for (const e of entries) items.push(e.routeId, e.payerIsA, e.amount, e.isLocked, e.startTime, e.endTime)
  return enc('paylink/amiko/iou-state/1', ...items)
}

/** `stateHash`: SHA-256 of `iouStateData`, 64 lowercase hex. */
export function iouStateHash(state: IouState): string {
  return bytesToHex(sha256(iouStateData(state)))
}
