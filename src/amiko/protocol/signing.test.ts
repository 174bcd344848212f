import { BigNumber, ECDSA, Hash } from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../core/bytes.ts'
import { sha256 } from '../../core/hash.ts'
import { isKey, isSig } from './ids.ts'
import { newPrivateKey, publicKeyOf, sign, signDigest, verify, verifyDigest } from './signing.ts'

const N = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')
const KEY = '01'.repeat(32)
const DATA = Uint8Array.of(1, 2, 3)

/** The same signature computed by @bsv/sdk, an independent implementation. */
function bsvSign(privateKeyHex: string, data: Uint8Array): string {
  const sig = ECDSA.sign(new BigNumber(Hash.sha256(Array.from(data))), new BigNumber(privateKeyHex, 16), true)
  return sig.r.toHex(32) + sig.s.toHex(32)
}

/** The other, high-S twin of a signature: s → n − s. */
function highS(sigHex: string): string {
  const s = N - BigInt(`0x${sigHex.slice(64)}`)
  return sigHex.slice(0, 64) + s.toString(16).padStart(64, '0')
}

describe('node-key signatures (§3)', () => {
  it('a fixed key signs deterministically, as @bsv/sdk computes (RFC 6979, low-S)', () => {
    const sig = sign(KEY, DATA)
    expect(sig).toBe(
      '15b86daa2fb375b1a4d0a9b51602bbd68f6ec19568b29f02e42d269f80c93244' +
        '1a8e944ae7bd72f61e55423569695da2f76f76270a46af711a5cfb8487d3ae2e',
    )
    expect(sign(KEY, DATA)).toBe(sig)
    expect(bsvSign(KEY, DATA)).toBe(sig)
  })

  it('agrees with @bsv/sdk and verifies, for any key and data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const key = newPrivateKey()
        const sig = sign(key, data)
        expect(isSig(sig)).toBe(true)
        expect(sig).toBe(bsvSign(key, data))
        expect(verify(publicKeyOf(key), data, sig)).toBe(true)
      }),
      { numRuns: 30 },
    )
  })

  it('rejects a changed message, another key and the high-S twin', () => {
    const sig = sign(KEY, DATA)
    const pub = publicKeyOf(KEY)
    expect(verify(pub, Uint8Array.of(1, 2, 4), sig)).toBe(false)
    expect(verify(publicKeyOf(newPrivateKey()), DATA, sig)).toBe(false)
    expect(verify(pub, DATA, highS(sig))).toBe(false)
  })

  it('returns false, never throws, on malformed keys and signatures', () => {
    const sig = sign(KEY, DATA)
    const pub = publicKeyOf(KEY)
    const notOnCurve = `02${'00'.repeat(32)}`
    for (const [k, s] of [
      [pub.toUpperCase(), sig],
      [notOnCurve, sig],
      [pub, sig.slice(2)],
      [pub, 'ff'.repeat(64)],
      [pub, '00'.repeat(64)],
      ['', ''],
    ] as const) {
      expect(verify(k, DATA, s)).toBe(false)
    }
    expect(verify(pub, 'not bytes' as unknown as Uint8Array, sig)).toBe(false)
  })

  it('public keys are compressed, 66 hex', () => {
    expect(publicKeyOf(KEY)).toBe('031b84c5567b126440995d3ed5aaba0565d71e1834604819ff9c17f5e9d5dd078f')
    expect(isKey(publicKeyOf(newPrivateKey()))).toBe(true)
  })

  it('signing data equals signing its SHA-256 digest as is', () => {
    const digest = bytesToHex(sha256(DATA))
    expect(signDigest(KEY, digest)).toBe(sign(KEY, DATA))
    expect(verifyDigest(publicKeyOf(KEY), digest, sign(KEY, DATA))).toBe(true)
    expect(verifyDigest(publicKeyOf(KEY), digest.slice(2), sign(KEY, DATA))).toBe(false)
    expect(() => signDigest(KEY, 'abcd')).toThrow(TypeError)
    expect(hexToBytes(digest)).toHaveLength(32)
  })
})
