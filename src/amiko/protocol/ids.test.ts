import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../core/bytes.ts'
import {
  isDice,
  isHex20,
  isHex32,
  isKey,
  isLinkName,
  isMeetingPointId,
  isPaymentId,
  isSig,
  newChallenge,
  newDice,
  newPaymentId,
  newToken,
  routeId,
  tokenMatches,
  transactionIdOf,
} from './ids.ts'

describe('tokens and transaction IDs (§1)', () => {
  it('the transaction ID is RIPEMD160(SHA256(token)): 32 zero bytes', () => {
    // Computed independently: openssl dgst -sha256 -binary | openssl dgst -ripemd160.
    expect(transactionIdOf('00'.repeat(32))).toBe('b8bcb07f6344b42ab04250c86a6e8b75d3fdbbc6')
  })

  it('a fresh token matches its own transaction ID and no other', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const token = bytesToHex(bytes)
        const txid = transactionIdOf(token)
        expect(isHex20(txid)).toBe(true)
        expect(tokenMatches(token, txid)).toBe(true)
        expect(tokenMatches(token, (txid[0] === '0' ? '1' : '0') + txid.slice(1))).toBe(false)
      }),
    )
  })

  it('tokenMatches is false for malformed input and never throws', () => {
    const token = newToken()
    const txid = transactionIdOf(token)
    expect(tokenMatches(token.toUpperCase(), txid)).toBe(false)
    expect(tokenMatches(token.slice(2), txid)).toBe(false)
    expect(tokenMatches(token, 'zz')).toBe(false)
  })

  it('fresh values have their wire forms', () => {
    expect(isHex32(newToken())).toBe(true)
    expect(isHex32(newChallenge())).toBe(true)
    expect(newPaymentId()).toMatch(/^[0-9a-f]{32}$/)
    expect(isPaymentId(newPaymentId())).toBe(true)
    expect(isDice(newDice())).toBe(true)
    expect(newToken()).not.toBe(newToken())
  })
})

describe('validators (§1, §3)', () => {
  it('link names and meeting point IDs: 1–64 unreserved chars, no leading underscore', () => {
    for (const ok of ['a', 'bob.link', 'A-b_c~1', 'x'.repeat(64)]) {
      expect(isLinkName(ok)).toBe(true)
      expect(isMeetingPointId(ok)).toBe(true)
    }
    for (const bad of ['', '_x', '__payer__', 'a/b', 'a b', 'é', 'x'.repeat(65)]) {
      expect(isLinkName(bad)).toBe(false)
      expect(isMeetingPointId(bad)).toBe(false)
    }
  })

  it('payment IDs as receivers accept them, reserved names included', () => {
    expect(isPaymentId('__payer__')).toBe(true)
    expect(isPaymentId('a'.repeat(64))).toBe(true)
    expect(isPaymentId('')).toBe(false)
    expect(isPaymentId('a'.repeat(65))).toBe(false)
    expect(isPaymentId('a%41')).toBe(false)
  })

  it('hex forms are exact-length lowercase', () => {
    expect(isHex20('ab'.repeat(20))).toBe(true)
    expect(isHex20('AB'.repeat(20))).toBe(false)
    expect(isHex32('ab'.repeat(32))).toBe(true)
    expect(isHex32('ab'.repeat(31))).toBe(false)
    expect(isKey(`02${'ab'.repeat(32)}`)).toBe(true)
    expect(isKey(`03${'ab'.repeat(32)}`)).toBe(true)
    expect(isKey(`04${'ab'.repeat(32)}`)).toBe(false)
    expect(isKey(`02${'AB'.repeat(32)}`)).toBe(false)
    expect(isSig('0f'.repeat(64))).toBe(true)
    expect(isSig('0f'.repeat(65))).toBe(false)
  })

  it('route IDs prefix the half', () => {
    const txid = 'ab'.repeat(20)
    expect(routeId(true, txid)).toBe(`1${txid}`)
    expect(routeId(false, txid)).toBe(`0${txid}`)
    expect(routeId(true, txid)).toHaveLength(41)
  })
})
