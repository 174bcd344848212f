import { describe, expect, it } from 'vitest'
import { ID_PATTERN, randomId, randomToken, uuid } from './ids.ts'

describe('ids and tokens', () => {
  it('ids are 22 base62 characters and match the accepted pattern', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomId()))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{22}$/)
    expect(ID_PATTERN.test(randomId())).toBe(true)
  })

  it('tokens are 32 bytes as base64url without padding (43 characters)', () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('uuids are v4', () => {
    expect(uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
