import { describe, expect, it } from 'vitest'
import { canonicalHeaderKey, envelope, parseEnvelope, ROLE_MAY_SEND } from './relay-envelope.ts'

const KEYS = [
  'appId',
  'body',
  'channelId',
  'clientID',
  'correlationId',
  'expiration',
  'headers',
  'messageId',
  'timestamp',
  'type',
  'userId',
]

describe('relay envelope (§14.3)', () => {
  it('a new envelope has exactly the eleven keys, a fresh messageId and an RFC3339 UTC timestamp', () => {
    const e = envelope({ type: 'health', channelId: 'Ab3dE6gH9jK2mN5pQ8sT1v' }, Date.UTC(2026, 0, 2, 3, 4, 5))
    expect(Object.keys(e).sort()).toEqual(KEYS)
    expect(e.timestamp).toBe('2026-01-02T03:04:05Z')
    expect(e.messageId).toMatch(/^[0-9a-f-]{36}$/)
    expect(envelope({ type: 'health', channelId: 'x' }).messageId).not.toBe(e.messageId)
  })

  it('parsing fills absent keys and canonicalises header keys as Go does', () => {
    const e = parseEnvelope({
      type: 'payment',
      headers: { 'x-origin-id': ['a'], 'content-TYPE': ['application/json'] },
    })
    expect(e).toBeDefined()
    expect(Object.keys(e!).sort()).toEqual(KEYS)
    expect(e!.headers).toEqual({ 'X-Origin-Id': ['a'], 'Content-Type': ['application/json'] })
    expect(canonicalHeaderKey('x-channel-expires')).toBe('X-Channel-Expires')
  })

  it('refuses frames that are not envelopes', () => {
    for (const bad of [
      null,
      5,
      'x',
      [],
      {},
      { type: '' },
      { type: 'a'.repeat(65) },
      { type: 'x', headers: { a: 'not-array' } },
    ]) {
      expect(parseEnvelope(bad)).toBeUndefined()
    }
  })

  it('customers and merchants may send disjoint sets of types', () => {
    const customer = new Set<string>(ROLE_MAY_SEND.customer)
    for (const t of ROLE_MAY_SEND.merchant) expect(customer.has(t)).toBe(false)
  })
})
