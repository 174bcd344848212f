/**
 * The wallet's payment lifecycle as data. `building`: coins reserved, transaction not yet
 * stored; `sent`: the Payment is stored and was (or is being) sent, its outcome unknown, its
 * coins still reserved; `acked` (ACK `error` 0: coins spent), `refused` (ACK `error` > 0 or a
 * 4xx: coins released) and `failed` (never sent: coins released) are terminal and sticky.
 * A `sent` payment is re-sent byte for byte until it is decided (protocols-p4.md §10 step 4:
 * the same Payment gets the same ACK).
 */
export const PAYMENT_STATES = ['building', 'sent', 'acked', 'refused', 'failed'] as const
export type PaymentState = (typeof PAYMENT_STATES)[number]

/** Allowed transitions; a state missing from a row's list cannot be reached from it. */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentState, readonly PaymentState[]>> = {
  building: ['sent', 'failed'],
  sent: ['acked', 'refused'],
  acked: [],
  refused: [],
  failed: [],
}

/** Whether `from` → `to` is allowed. */
export function canTransition(from: PaymentState, to: PaymentState): boolean {
  return PAYMENT_TRANSITIONS[from].includes(to)
}

/** The states from which `to` may be reached (the guard of an update's `where state in`). */
export function sourcesOf(to: PaymentState): PaymentState[] {
  return PAYMENT_STATES.filter((from) => canTransition(from, to))
}
