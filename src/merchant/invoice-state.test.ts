import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  canTransition,
  effectiveState,
  INVOICE_STATES,
  INVOICE_TRANSITIONS,
  type InvoiceState,
} from './invoice-state.ts'

describe('invoice state machine', () => {
  it('terminal states are sticky: any walk of allowed transitions leaves them never', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...INVOICE_STATES), { maxLength: 20 }), (attempts) => {
        let state: InvoiceState = 'pending'
        const seen: InvoiceState[] = [state]
        for (const next of attempts) {
          if (canTransition(state, next)) state = next
          seen.push(state)
        }
        const firstTerminal = seen.findIndex((s) => s !== 'pending')
        if (firstTerminal >= 0) expect(new Set(seen.slice(firstTerminal)).size).toBe(1)
      }),
    )
  })

  it('only pending moves, and never to itself', () => {
    for (const from of INVOICE_STATES) {
      expect(INVOICE_TRANSITIONS[from].includes(from)).toBe(false)
      if (from !== 'pending') expect(INVOICE_TRANSITIONS[from]).toEqual([])
    }
  })

  it('a pending invoice past its expiry reads as expired; others read as stored', () => {
    expect(effectiveState('pending', 1000, 1001)).toBe('expired')
    expect(effectiveState('pending', 1000, 1000)).toBe('pending')
    expect(effectiveState('paid', 1000, 5000)).toBe('paid')
  })
})
