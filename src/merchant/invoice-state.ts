/**
 * The invoice lifecycle as data (PROTOCOLS.md P4 §3): `pending` → `paid` | `expired` |
 * `cancelled`; the three are terminal and sticky. One guard decides every transition.
 */
import { PaylinkError } from '../core/errors.ts'

export const INVOICE_STATES = ['pending', 'paid', 'expired', 'cancelled'] as const
export type InvoiceState = (typeof INVOICE_STATES)[number]

/** Allowed transitions; a state missing from a row's list cannot be reached from it. */
export const INVOICE_TRANSITIONS: Readonly<Record<InvoiceState, readonly InvoiceState[]>> = {
  pending: ['paid', 'expired', 'cancelled'],
  paid: [],
  expired: [],
  cancelled: [],
}

/** Whether `from` → `to` is allowed. */
export function canTransition(from: InvoiceState, to: InvoiceState): boolean {
  return INVOICE_TRANSITIONS[from].includes(to)
}

/** Throws `PL1012` (invoice not pending) unless `from` → `to` is allowed. */
export function assertTransition(from: InvoiceState, to: InvoiceState): void {
  if (!canTransition(from, to)) throw new PaylinkError('PL1012', `invoice is ${from}; it cannot become ${to}`)
}

/** The state a reader sees: a pending invoice past its expiry reads as expired. */
export function effectiveState(state: InvoiceState, expiresAt: number, now: number): InvoiceState {
  return state === 'pending' && now > expiresAt ? 'expired' : state
}
