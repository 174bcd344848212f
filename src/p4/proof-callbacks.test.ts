import { describe, expect, it } from 'vitest'
import { proofCallbacksSchema } from './proof-callbacks.ts'

describe('proofCallbacks (§5)', () => {
  const schema = proofCallbacksSchema()
  it('accepts null, absent and up to 4 https callbacks', () => {
    expect(schema.parse(null)).toBeNull()
    expect(schema.parse(undefined)).toBeUndefined()
    const four = Object.fromEntries([1, 2, 3, 4].map((i) => [`https://cb${i}.example/p`, { token: 't' }]))
    expect(schema.parse(four)).toEqual(four)
  })
  it('refuses a callback without token, plain http to a public host, or a non-URL', () => {
    expect(schema.safeParse({ 'https://cb.example/': {} }).success).toBe(false)
    expect(schema.safeParse({ 'http://cb.example/': { token: 't' } }).success).toBe(false)
    expect(schema.safeParse({ 'not a url': { token: 't' } }).success).toBe(false)
    expect(
      proofCallbacksSchema({ allowInsecure: true }).safeParse({ 'http://cb.example/': { token: 't' } })
        .success,
    ).toBe(true)
  })
})
