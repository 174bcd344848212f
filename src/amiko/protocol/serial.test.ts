import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { classifyIndex, INITIAL_LAST_RECEIVED, isAckedBy, isIndex, nextIndex } from './serial.ts'

const index = fc.integer({ min: 0, max: 0xffff })

describe('outbox indices (§2.4)', () => {
  it('indices start at 0 after the initial lastReceived and wrap at 16 bits', () => {
    expect(nextIndex(INITIAL_LAST_RECEIVED)).toBe(0)
    expect(nextIndex(0)).toBe(1)
    expect(nextIndex(0xfffe)).toBe(0xffff)
  })

  it('the first message is next; a re-sent one is a duplicate', () => {
    expect(classifyIndex(0, INITIAL_LAST_RECEIVED)).toBe('next')
    expect(classifyIndex(0, 0)).toBe('duplicate')
    expect(classifyIndex(2, 0)).toBe('gap')
  })

  it('duplicates are the 32 768 indices at or before lastReceived, across the wrap', () => {
    expect(classifyIndex(0xffff, 3)).toBe('duplicate')
    expect(classifyIndex((3 - 32_767) & 0xffff, 3)).toBe('duplicate')
    expect(classifyIndex((3 - 32_768) & 0xffff, 3)).toBe('gap')
    expect(classifyIndex(5, 3)).toBe('gap')
  })

  it('every index has exactly one class: 1 next, 32 768 duplicates, the rest gaps', () => {
    fc.assert(
      fc.property(index, (last) => {
        const counts = { next: 0, duplicate: 0, gap: 0 }
        for (let n = 0; n <= 0xffff; n++) counts[classifyIndex(n, last)]++
        expect(counts).toEqual({ next: 1, duplicate: 32_768, gap: 32_767 })
      }),
      { numRuns: 20 },
    )
  })

  it('an ack of n covers n and the 32 767 before it, not the ones after', () => {
    fc.assert(
      fc.property(index, fc.integer({ min: 0, max: 32_767 }), (received, back) => {
        expect(isAckedBy((received - back) & 0xffff, received)).toBe(true)
        expect(isAckedBy((received + 1 + back) & 0xffff, received)).toBe(false)
      }),
    )
  })

  it('isIndex accepts integers 0–65535 only', () => {
    expect([0, 65_535].every(isIndex)).toBe(true)
    expect([-1, 65_536, 1.5, '1', null].some(isIndex)).toBe(false)
  })
})
