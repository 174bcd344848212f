import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CHANNEL_STATES, type ChannelState, canMove } from './channel-states.ts'

describe('relay channel lifecycle (§14.5)', () => {
  it('any sequence of attempted moves never leaves expired and never returns to open', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CHANNEL_STATES)), (attempts) => {
        let state: ChannelState = 'open'
        const seen: ChannelState[] = [state]
        for (const to of attempts) {
          if (canMove(state, to)) state = to
          seen.push(state)
        }
        const firstExpired = seen.indexOf('expired')
        if (firstExpired >= 0) expect(seen.slice(firstExpired).every((s) => s === 'expired')).toBe(true)
        expect(seen.slice(seen.indexOf('closing') + 1 || seen.length)).not.toContain('open')
      }),
    )
  })
})
