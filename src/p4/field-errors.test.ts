import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isPaylinkError } from '../core/errors.ts'
import { fieldErrors, fieldPath, goMessages, parseWith } from './field-errors.ts'

const schema = z.object({ a: z.object({ b: z.array(z.string()) }), c: z.number() })

describe('validation errors map (§11)', () => {
  it('paths are dotted, array indices included; the root is "body"', () => {
    expect(fieldPath(['merchantData', 'extendedData', 'paymentReference'])).toBe(
      'merchantData.extendedData.paymentReference',
    )
    expect(fieldPath(['outputs', 0, 'script'])).toBe('outputs.0.script')
    expect(fieldPath([])).toBe('body')
  })
  it('go-p4 wording for missing keys and wrong types; messages grouped per field', () => {
    const result = schema.safeParse({ a: { b: ['x', 1] } }, { error: goMessages })
    expect(result.success).toBe(false)
    if (!result.success) {
      expect(fieldErrors(result.error)).toEqual({
        'a.b.1': ['value must be of type string'],
        c: ['value cannot be empty'],
      })
    }
  })
  it('parseWith throws PL1004 with details.errors, or returns the data', () => {
    expect(parseWith(schema, { a: { b: [] }, c: 1 }, 'thing')).toEqual({ a: { b: [] }, c: 1 })
    try {
      parseWith(schema, null, 'thing')
      expect.unreachable()
    } catch (err) {
      expect(isPaylinkError(err, 'PL1004')).toBe(true)
      expect(isPaylinkError(err) && err.details).toEqual({
        errors: { body: ['value must be of type object'] },
      })
    }
  })
})
