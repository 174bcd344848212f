import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '../../core/bytes.ts'
import { sha256 } from '../../core/hash.ts'
import { routeId } from './ids.ts'
import { type IouState, type IouStateEntry, iouStateData, iouStateHash, isSideA } from './iou-state.ts'
import { publicKeyOf, sign, signDigest, verify } from './signing.ts'

const A = publicKeyOf('01'.repeat(32))
const B = publicKeyOf('02'.repeat(32))
const entry = (isPayerSide: boolean, txByte: string, amount: number): IouStateEntry => ({
  routeId: routeId(isPayerSide, txByte.repeat(20)),
  payerIsA: true,
  amount,
  isLocked: false,
  startTime: null,
  endTime: null,
})
const STATE: IouState = {
  keyA: A,
  keyB: B,
  channelIndex: 0,
  status: 'open',
  countA: 2,
  countB: 1,
  balanceA: 900,
  balanceB: 100,
  entries: [entry(true, 'bb', 5), entry(false, 'ff', 7), entry(true, 'aa', 3)],
}

describe('SignedIOUChannel state hash (§11)', () => {
  it('is SHA-256 of the encoded state, 64 hex', () => {
    expect(iouStateHash(STATE)).toBe(bytesToHex(sha256(iouStateData(STATE))))
    expect(iouStateHash(STATE)).toMatch(/^[0-9a-f]{64}$/)
  })

  it('encodes the header and then entries in route-ID byte order ("0…" before "1…")', () => {
    const data = bytesToHex(iouStateData(STATE))
    const at = (txByte: string) => data.indexOf(bytesToHex(new TextEncoder().encode(txByte.repeat(20))))
    expect(at('ff')).toBeLessThan(at('aa'))
    expect(at('aa')).toBeLessThan(at('bb'))
    expect(data).toContain(`00000021${A}00000021${B}`)
    // n = 3 entries, then the first entry's route ID (41 bytes)
    expect(data).toContain('0000000000000003' + '00000029')
  })

  it('does not depend on the order entries are given in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(STATE.entries as IouStateEntry[], { minLength: 3 }), (entries) => {
        expect(iouStateHash({ ...STATE, entries })).toBe(iouStateHash(STATE))
      }),
    )
  })

  it('changes with every field', () => {
    const base = iouStateHash(STATE)
    const first = STATE.entries[0] as IouStateEntry
    const variants: IouState[] = [
      { ...STATE, keyA: B, keyB: A },
      { ...STATE, channelIndex: 1 },
      { ...STATE, status: 'closing' },
      { ...STATE, countA: 3 },
      { ...STATE, countB: 2 },
      { ...STATE, balanceA: 899 },
      { ...STATE, balanceB: 101 },
      { ...STATE, entries: STATE.entries.slice(1) },
      { ...STATE, entries: [{ ...first, payerIsA: false }, ...STATE.entries.slice(1)] },
      { ...STATE, entries: [{ ...first, isLocked: true }, ...STATE.entries.slice(1)] },
      { ...STATE, entries: [{ ...first, amount: 6 }, ...STATE.entries.slice(1)] },
      { ...STATE, entries: [{ ...first, startTime: 0 }, ...STATE.entries.slice(1)] },
      { ...STATE, entries: [{ ...first, endTime: 0 }, ...STATE.entries.slice(1)] },
    ]
    for (const v of variants) expect(iouStateHash(v)).not.toBe(base)
  })

  it('the State signature over the data equals the signature of the hash itself', () => {
    const sig = sign('01'.repeat(32), iouStateData(STATE))
    expect(signDigest('01'.repeat(32), iouStateHash(STATE))).toBe(sig)
    expect(verify(A, iouStateData(STATE), sig)).toBe(true)
  })

  it('side A is the smaller key in byte order', () => {
    const k02 = `02${'ff'.repeat(32)}`
    const k03 = `03${'00'.repeat(32)}`
    expect(isSideA(k02, k03)).toBe(true)
    expect(isSideA(k03, k02)).toBe(false)
    expect(isSideA(`02${'0a'.repeat(32)}`, `02${'a0'.repeat(32)}`)).toBe(true)
  })
})
