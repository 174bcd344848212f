import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../core/bytes.ts'
import { enc, hex } from './enc.ts'

const encHex = (...args: Parameters<typeof enc>): string => bytesToHex(enc(...args))

describe('ENC (§3)', () => {
  it('the tag is a length-prefixed UTF-8 string', () => {
    expect(encHex('ab')).toBe('000000026162')
  })

  it('encodes each item type as the spec says', () => {
    expect(encHex('t', 'é')).toBe('0000000174' + '00000002c3a9')
    expect(encHex('t', Uint8Array.of(1, 2))).toBe('0000000174' + '000000020102')
    expect(encHex('t', hex('abCD'))).toBe('0000000174' + '00000002abcd')
    expect(encHex('t', null)).toBe('0000000174' + 'ffffffff')
    expect(encHex('t', 258)).toBe('0000000174' + '0000000000000102')
    expect(encHex('t', 2n ** 64n - 1n)).toBe('0000000174' + 'ffffffffffffffff')
    expect(encHex('t', true, false)).toBe('0000000174' + '0100')
    expect(encHex('t', '')).toBe('0000000174' + '00000000')
  })

  it('a hex field and the same text encode differently', () => {
    expect(encHex('t', hex('00'))).not.toBe(encHex('t', '00'))
  })

  it('refuses integers that are negative, fractional, unsafe or over 64 bits', () => {
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, -1n, 2n ** 64n]) {
      expect(() => enc('t', bad)).toThrow(RangeError)
    }
    expect(() => enc('t', hex('abc'))).toThrow(TypeError)
  })

  it('number and bigint of the same value encode alike', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(encHex('t', n)).toBe(encHex('t', BigInt(n)))
      }),
    )
  })

  it('is injective on string sequences: the length prefixes separate items', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.array(fc.string()), (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b))
        expect(encHex('t', ...a)).not.toBe(encHex('t', ...b))
      }),
    )
  })
})
