import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  canTransition,
  PAYMENT_STATES,
  PAYMENT_TRANSITIONS,
  type PaymentState,
  sourcesOf,
} from './payment-state.ts'

const TERMINAL: PaymentState[] = ['acked', 'refused', 'failed']

describe('wallet payment state machine', () => {
  it('terminal states are sticky: any walk of allowed transitions never leaves one', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PAYMENT_STATES), { maxLength: 20 }), (attempts) => {
        let state: PaymentState = 'building'
        let terminal: PaymentState | undefined
        for (const next of attempts) {
          if (canTransition(state, next)) state = next
          if (terminal !== undefined) expect(state).toBe(terminal)
          if (TERMINAL.includes(state)) terminal = state
        }
      }),
    )
  })

  it('a payment is decided only after it was sent, and fails only before', () => {
    expect(sourcesOf('acked')).toEqual(['sent'])
    expect(sourcesOf('refused')).toEqual(['sent'])
    expect(sourcesOf('failed')).toEqual(['building'])
    expect(sourcesOf('sent')).toEqual(['building'])
    for (const s of PAYMENT_STATES) expect(PAYMENT_TRANSITIONS[s].includes(s)).toBe(false)
  })
})
