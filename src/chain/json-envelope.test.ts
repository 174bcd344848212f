import { readFileSync } from 'node:fs'
import { PrivateKey } from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isPaylinkError } from '../core/errors.ts'
import {
  assertEnvelopeVerifies,
  isSigned,
  type JsonEnvelope,
  parseEnvelopePayload,
  parseJsonEnvelope,
  signEnvelope,
  verifyEnvelope,
} from './json-envelope.ts'

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8'))
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return isPaylinkError(err) ? err.code : 'not a PaylinkError'
  }
  return undefined
}

// The example of bitcoin-sv-specs/brfc-misc:jsonenvelope/README.md, byte for byte.
const BRFC_EXAMPLE = parseJsonEnvelope(fixture('jsonenvelope-brfc-example.json'))
const EXTRA = fixture('jsonenvelope-extra-vectors.json') as Record<string, unknown>
const BRFC_IMAGE = parseJsonEnvelope(EXTRA['brfcImage'])
const GO_BK_BACKSLASHED = parseJsonEnvelope(EXTRA['goBkBackslashed'])

const KEY = PrivateKey.fromString('0f'.repeat(32), 'hex')

describe('JSONEnvelope known vectors', () => {
  it('verifies the brfc-misc README example', () => {
    expect(verifyEnvelope(BRFC_EXAMPLE)).toBe(true)
    expect(verifyEnvelope(BRFC_EXAMPLE, BRFC_EXAMPLE.publicKey ?? undefined)).toBe(true)
    expect(parseEnvelopePayload(BRFC_EXAMPLE)).toEqual({ name: 'simon', colour: 'blue' })
  })

  it('verifies the brfc-misc README image example, signed over the decoded base64 bytes', () => {
    expect(verifyEnvelope(BRFC_IMAGE)).toBe(true)
  })

  it('verifies a go-bk envelope whose payload carries backslashes, by removing them', () => {
    expect(verifyEnvelope(GO_BK_BACKSLASHED)).toBe(true)
    // The backslash fallback applies to application/json only.
    expect(verifyEnvelope({ ...GO_BK_BACKSLASHED, mimetype: 'text/plain' })).toBe(false)
  })

  it('fails the README example with a tampered payload', () => {
    expect(verifyEnvelope({ ...BRFC_EXAMPLE, payload: '{"name":"simon","colour":"red"}' })).toBe(false)
    expect(verifyEnvelope({ ...BRFC_EXAMPLE, payload: `${BRFC_EXAMPLE.payload} ` })).toBe(false)
  })

  it('fails the README example against another expected public key', () => {
    const other = signEnvelope('{}', KEY).publicKey ?? ''
    expect(verifyEnvelope(BRFC_EXAMPLE, other)).toBe(false)
    expect(codeOf(() => assertEnvelopeVerifies(BRFC_EXAMPLE, other))).toBe('PL6005')
  })

  it('fails with a signature swapped from another envelope', () => {
    expect(verifyEnvelope({ ...BRFC_EXAMPLE, signature: GO_BK_BACKSLASHED.signature })).toBe(false)
  })
})

describe('signEnvelope', () => {
  it('round-trips sign → verify, as JSON too, and the payload reads back', () => {
    const payload = JSON.stringify({ fee: 1, note: 'café ✓' })
    const env = signEnvelope(payload, KEY)
    expect(env).toMatchObject({ payload, encoding: 'UTF-8', mimetype: 'application/json' })
    expect(env.publicKey).toMatch(/^0[23][0-9a-f]{64}$/)
    expect(env.signature).toMatch(/^30[0-9a-f]+$/)
    expect(verifyEnvelope(env, env.publicKey ?? undefined)).toBe(true)
    expect(verifyEnvelope(parseJsonEnvelope(JSON.parse(JSON.stringify(env))))).toBe(true)
    expect(parseEnvelopePayload(env)).toEqual({ fee: 1, note: 'café ✓' })
    expect(() => assertEnvelopeVerifies(env)).not.toThrow()
  })

  it('round-trips any payload string, and fails on any change to it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ minLength: 1 }), (payload, suffix) => {
        const env = signEnvelope(payload, KEY, 'text/plain')
        expect(verifyEnvelope(env)).toBe(true)
        expect(verifyEnvelope({ ...env, payload: payload + suffix })).toBe(false)
      }),
      { numRuns: 30 },
    )
  })
})

describe('unsigned and malformed envelopes', () => {
  const unsigned: JsonEnvelope = {
    payload: '{"a":1}',
    signature: null,
    publicKey: null,
    encoding: 'UTF-8',
    mimetype: 'application/json',
  }

  it('an unsigned envelope is not signed and does not verify, but its payload reads', () => {
    expect(isSigned(unsigned)).toBe(false)
    expect(verifyEnvelope(unsigned)).toBe(false)
    expect(isSigned(BRFC_EXAMPLE)).toBe(true)
    expect(parseEnvelopePayload(unsigned)).toEqual({ a: 1 })
  })

  it('a malformed signature or key gives false, not a throw', () => {
    expect(verifyEnvelope({ ...BRFC_EXAMPLE, signature: 'zz' })).toBe(false)
    expect(verifyEnvelope({ ...BRFC_EXAMPLE, signature: '9945' })).toBe(false)
    expect(verifyEnvelope({ ...BRFC_EXAMPLE, publicKey: `99${BRFC_EXAMPLE.publicKey?.slice(2)}` })).toBe(
      false,
    )
  })

  it('reads encoding in any case, missing signature fields as null, and refuses other shapes', () => {
    const env = parseJsonEnvelope({ payload: 'e30=', encoding: 'BASE64', mimetype: 'application/json' })
    expect(env).toEqual({
      payload: 'e30=',
      signature: null,
      publicKey: null,
      encoding: 'base64',
      mimetype: 'application/json',
    })
    expect(parseEnvelopePayload(env)).toEqual({})
    expect(parseJsonEnvelope({ ...unsigned, encoding: 'utf-8' }).encoding).toBe('UTF-8')
    expect(codeOf(() => parseJsonEnvelope({ ...unsigned, encoding: 'hex' }))).toBe('PL6002')
    expect(codeOf(() => parseJsonEnvelope({ payload: 1 }, 'PL4001'))).toBe('PL4001')
  })

  it('a payload that is not JSON throws the given code', () => {
    expect(codeOf(() => parseEnvelopePayload({ ...unsigned, payload: '{' }))).toBe('PL6002')
    expect(
      codeOf(() => parseEnvelopePayload({ ...unsigned, payload: '!!', encoding: 'base64' }, 'PL4001')),
    ).toBe('PL4001')
  })
})
