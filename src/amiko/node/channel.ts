/**
 * Channel entries and balances (protocols-amiko.md §9.4): reserve, release, lock, settle and roll
 * back one route ID on one side of a `SignedIOUChannel`. "Outgoing" means this side pays. Each
 * finished entry leaves a tombstone so a repeated message is recognised; a transition that does
 * not apply throws `AmikoError` and the input's store transaction rolls back whole.
 */
import { AmikoError } from '../protocol/index.ts'
import type { ChannelState, Entry } from './state.ts'

export type Direction = 'outgoing' | 'incoming'

export function newChannel(
  index: number,
  opener: 'local' | 'remote',
  local: number,
  remote: number,
): ChannelState {
  return {
    index,
    status: 'opening',
    opener,
    amountLocal: local,
    amountRemote: remote,
    outgoingReserved: {},
    incomingReserved: {},
    outgoingLocked: {},
    incomingLocked: {},
    done: {},
    coSigned: null,
    diverged: false,
  }
}

/** Whether `channel` can take a new reservation of `amount` in `direction` now. */
export function canReserve(channel: ChannelState, direction: Direction, amount: number): boolean {
  if (channel.status !== 'open' || channel.diverged) return false
  return (direction === 'outgoing' ? channel.amountLocal : channel.amountRemote) >= amount
}

function isOpen(channel: ChannelState, routeId: string): boolean {
  return (
    routeId in channel.outgoingReserved ||
    routeId in channel.incomingReserved ||
    routeId in channel.outgoingLocked ||
    routeId in channel.incomingLocked
  )
}

export function reserve(channel: ChannelState, direction: Direction, routeId: string, entry: Entry): void {
  if (!canReserve(channel, direction, entry.amount))
    throw new AmikoError(
      'AMIKO_INSUFFICIENT_CAPACITY',
      `channel ${channel.index} cannot carry ${entry.amount}`,
    )
  if (isOpen(channel, routeId)) throw new AmikoError('AMIKO_BAD_STATE', `route ${routeId} already open`)
  delete channel.done[routeId]
  if (direction === 'outgoing') {
    channel.outgoingReserved[routeId] = { ...entry }
    channel.amountLocal -= entry.amount
  } else {
    channel.incomingReserved[routeId] = { ...entry }
    channel.amountRemote -= entry.amount
  }
}

/** Gives a reservation back; false when there was none (already released: a no-op). */
export function release(channel: ChannelState, direction: Direction, routeId: string): boolean {
  const map = direction === 'outgoing' ? channel.outgoingReserved : channel.incomingReserved
  const entry = map[routeId]
  if (entry === undefined) return false
  delete map[routeId]
  if (direction === 'outgoing') channel.amountLocal += entry.amount
  else channel.amountRemote += entry.amount
  channel.done[routeId] = 'released'
  return true
}

/** Turns a reservation into a lock with the agreed times. */
export function lock(channel: ChannelState, direction: Direction, routeId: string, entry: Entry): void {
  const reserved = direction === 'outgoing' ? channel.outgoingReserved : channel.incomingReserved
  const locked = direction === 'outgoing' ? channel.outgoingLocked : channel.incomingLocked
  const held = reserved[routeId]
  if (held === undefined) throw new AmikoError('AMIKO_UNKNOWN_LOCK', `no reservation ${routeId}`)
  if (held.amount !== entry.amount) throw new AmikoError('AMIKO_BAD_FIELD', `lock amount ${entry.amount}`)
  delete reserved[routeId]
  locked[routeId] = { ...entry }
}

/** Pays a lock to the downstream party; false when it was settled before (a no-op). */
export function settle(channel: ChannelState, direction: Direction, routeId: string): boolean {
  const locked = direction === 'outgoing' ? channel.outgoingLocked : channel.incomingLocked
  const entry = locked[routeId]
  if (entry === undefined) {
    if (channel.done[routeId] === 'refunded') {
      // A SettleCommit crossed our refund (§9.4): settle wins.
      if (direction === 'outgoing') throw new AmikoError('AMIKO_BAD_STATE', 'refund on an outgoing entry')
      const amount = refundedAmount(channel, routeId)
      channel.amountRemote -= amount
      channel.amountLocal += amount
      channel.done[routeId] = 'settled'
      delete channel.refunds?.[routeId]
      return true
    }
    if (channel.done[routeId] === 'settled') return false
    throw new AmikoError('AMIKO_BAD_STATE', `no lock ${routeId} to settle`)
  }
  delete locked[routeId]
  if (direction === 'outgoing') channel.amountRemote += entry.amount
  else channel.amountLocal += entry.amount
  channel.done[routeId] = 'settled'
  return true
}

function refundedAmount(channel: ChannelState, routeId: string): number {
  const amount = channel.refunds?.[routeId]
  if (amount === undefined) throw new AmikoError('AMIKO_BAD_STATE', `no refund ${routeId}`)
  return amount
}

/**
 * Returns a reserved or locked entry to the upstream party; false when nothing was open (a no-op).
 * `refund` marks it `refunded` (not yet terminal, §9.4) on the side that sends the refund.
 */
export function rollBack(
  channel: ChannelState,
  direction: Direction,
  routeId: string,
  refund = false,
): boolean {
  const maps =
    direction === 'outgoing'
      ? [channel.outgoingLocked, channel.outgoingReserved]
      : [channel.incomingLocked, channel.incomingReserved]
  for (const map of maps) {
    const entry = map[routeId]
    if (entry === undefined) continue
    delete map[routeId]
    if (direction === 'outgoing') channel.amountLocal += entry.amount
    else channel.amountRemote += entry.amount
    channel.done[routeId] = refund ? 'refunded' : 'rolledBack'
    if (refund) channel.refunds = { ...channel.refunds, [routeId]: entry.amount }
    return true
  }
  return false
}

/** The refund was acknowledged: it is final. */
export function refundAcknowledged(channel: ChannelState, routeId: string): void {
  if (channel.done[routeId] === 'refunded') channel.done[routeId] = 'rolledBack'
  if (channel.refunds !== undefined) delete channel.refunds[routeId]
}

/** Every open (reserved or locked) entry. */
export function openEntries(
  channel: ChannelState,
): { routeId: string; direction: Direction; locked: boolean; entry: Entry }[] {
  const out: { routeId: string; direction: Direction; locked: boolean; entry: Entry }[] = []
  const add = (map: Record<string, Entry>, direction: Direction, locked: boolean) => {
    for (const [routeId, entry] of Object.entries(map)) out.push({ routeId, direction, locked, entry })
  }
  add(channel.outgoingReserved, 'outgoing', false)
  add(channel.incomingReserved, 'incoming', false)
  add(channel.outgoingLocked, 'outgoing', true)
  add(channel.incomingLocked, 'incoming', true)
  return out
}

/** Capacity: balances plus everything reserved or locked (I1 conservation). */
export function capacity(channel: ChannelState): number {
  return (
    channel.amountLocal +
    channel.amountRemote +
    openEntries(channel).reduce((sum, e) => sum + e.entry.amount, 0)
  )
}
