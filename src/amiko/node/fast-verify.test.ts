import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { newPrivateKey, publicKeyOf, sign, verify } from '../protocol/index.ts'
import { verifySignature } from './fast-verify.ts'

describe('verifySignature (OpenSSL)', () => {
  it('agrees with the pure-JS verify on good, tampered and foreign signatures', () => {
    const key = newPrivateKey()
    const other = publicKeyOf(newPrivateKey())
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const sig = sign(key, data)
        expect(verifySignature(publicKeyOf(key), data, sig)).toBe(true)
        expect(verifySignature(other, data, sig)).toBe(verify(other, data, sig))
        const flipped = `${sig.slice(0, 10)}${sig[10] === '0' ? '1' : '0'}${sig.slice(11)}`
        expect(verifySignature(publicKeyOf(key), data, flipped)).toBe(verify(publicKeyOf(key), data, flipped))
      }),
      { numRuns: 50 },
    )
  })

  it('refuses high-S and malformed input without throwing', () => {
    const key = newPrivateKey()
    const data = new Uint8Array([1, 2, 3])
    const sig = sign(key, data)
    const n = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')
    const highS = (n - BigInt(`0x${sig.slice(64)}`)).toString(16).padStart(64, '0')
    expect(verifySignature(publicKeyOf(key), data, `${sig.slice(0, 64)}${highS}`)).toBe(false)
    expect(verifySignature('02zz', data, sig)).toBe(false)
    expect(verifySignature(publicKeyOf(key), data, 'abc')).toBe(false)
  })
})
