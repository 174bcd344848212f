import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, constantTimeEqual, fromDisplayHex, hexToBytes, isHex, toDisplayHex } from './bytes.ts'

describe('hex', () => {
  it('round-trips any bytes, emitting lowercase', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const hex = bytesToHex(bytes)
        expect(hex).toBe(hex.toLowerCase())
        expect(hexToBytes(hex)).toEqual(bytes)
        expect(hexToBytes(hex.toUpperCase())).toEqual(bytes)
      }),
    )
  })

  it('refuses odd lengths and non-hex digits', () => {
    for (const bad of ['0', 'zz', '0g', ' 00', '0x00']) {
      expect(isHex(bad)).toBe(false)
      expect(() => hexToBytes(bad)).toThrow(TypeError)
    }
  })

  it('display order is byte-reversed', () => {
    expect(toDisplayHex(hexToBytes('0102ff'))).toBe('ff0201')
    expect(bytesToHex(fromDisplayHex('ff0201'))).toBe('0102ff')
  })

  it('constant-time comparison agrees with equality', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(bytesToHex(a) === bytesToHex(b))
      }),
    )
  })
})
