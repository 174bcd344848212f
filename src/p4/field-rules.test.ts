import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  hex,
  isRecord,
  jsonBytes,
  lengthMessage,
  rejectingReqKeys,
  satoshisField,
  text,
} from './field-rules.ts'

const messages = (schema: z.ZodType, value: unknown) =>
  schema.safeParse(value).error?.issues.map((i) => i.message) ?? []

describe('field rules', () => {
  it('text bounds use govalidator wording', () => {
    expect(lengthMessage(0, 100)).toBe('value must be between 0 and 100 characters')
    expect(messages(text(3), 'abcd')).toEqual(['value must be between 0 and 3 characters'])
    expect(messages(text(3, 1), '')).toEqual(['value must be between 1 and 3 characters'])
    expect(messages(text(3), 'abc')).toEqual([])
  })
  it('hex accepts either case and bounds the decoded length', () => {
    expect(messages(hex(1, 2), 'ABcd')).toEqual([])
    expect(messages(hex(1, 2), '')).toEqual(['value cannot be empty'])
    expect(messages(hex(1, 2), 'abcdef')).toEqual(['value must be at most 2 bytes'])
    expect(messages(hex(), 'abc')).toEqual(['value supplied is not valid hex'])
  })
  it('satoshis are safe integers within the ceiling', () => {
    expect(messages(satoshisField(1), 1)).toEqual([])
    for (const bad of [0, -1, 1.5, 2_100_000_000_000_001])
      expect(messages(satoshisField(1), bad)).toHaveLength(1)
  })
  it('req- keys are refused, other keys pass', () => {
    const schema = rejectingReqKeys(z.object({ a: z.number() }))
    expect(schema.safeParse({ a: 1, other: 2 }).success).toBe(true)
    expect(schema.safeParse({ a: 1, 'req-x': 2 }).error?.issues[0]?.path).toEqual(['req-x'])
  })
  it('helpers', () => {
    expect([isRecord({}), isRecord([]), isRecord(null), isRecord('x')]).toEqual([true, false, false, false])
    expect(jsonBytes({ a: 'é' })).toBe(10)
  })
})
