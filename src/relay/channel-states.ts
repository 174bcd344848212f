/**
 * The relay channel lifecycle as data (PROTOCOLS.md P4 §14.5): `open` → `closing` (DELETE) →
 * `expired`; `open` → `expired` (time). `expired` is terminal and sticky.
 */
export const CHANNEL_STATES = ['open', 'closing', 'expired'] as const
export type ChannelState = (typeof CHANNEL_STATES)[number]

export const TRANSITIONS: Readonly<Record<ChannelState, readonly ChannelState[]>> = {
  open: ['closing', 'expired'],
  closing: ['expired'],
  expired: [],
}

/** Whether a channel may go from `from` to `to`. */
export function canMove(from: ChannelState, to: ChannelState): boolean {
  return TRANSITIONS[from].includes(to)
}
