import { describe, expect, it } from 'vitest'
import {
  clientErrorBody,
  clientErrorSchema,
  statusOfLegacyCode,
  statusOfReason,
  validationErrorBody,
  validationErrorSchema,
} from './client-error.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('error bodies (§11)', () => {
  it('a ClientError without a legacy code has code = reason and the catalogue title', () => {
    const body = clientErrorBody('PL2008', 'invoice Ab3dE6 was cancelled')
    expect(body).toEqual({
      id: expect.stringMatching(UUID),
      code: 'PL2008',
      title: 'invoice cancelled',
      message: 'invoice Ab3dE6 was cancelled',
      reason: 'PL2008',
    })
    expect(clientErrorBody('PL2008').id).not.toBe(body.id)
  })
  it('carries the legacy code the catalogue pairs with the reason, or the one given', () => {
    expect(clientErrorBody('PL2005').code).toBe('E001')
    expect(clientErrorBody('PL2007').code).toBe('D001')
    expect(clientErrorBody('PL2009').code).toBe('U102')
    expect(clientErrorBody('PL5002').code).toBe('N00001')
    expect(clientErrorBody('PL1008', 'no such route', { legacyCode: '404' }).code).toBe('404')
  })
  it('the validation body is {errors, reason}', () => {
    const errors = { refundTo: ['value must be between 0 and 100 characters'] }
    expect(validationErrorBody(errors)).toEqual({ errors, reason: 'PL1004' })
    expect(validationErrorBody({ spvEnvelope: ['x'] }, 'PL3002').reason).toBe('PL3002')
  })
  it('the wallet reads ours, payd’s (no reason) and websocket ones (with errors)', () => {
    expect(clientErrorSchema.parse(clientErrorBody('PL2008')).reason).toBe('PL2008')
    expect(clientErrorSchema.parse({ id: 'x', code: 'N00001', title: 'Not found', message: 'm' }).code).toBe(
      'N00001',
    )
    expect(
      clientErrorSchema.parse({ ...clientErrorBody('PL1004'), errors: { rawTx: ['e'] } }).errors,
    ).toEqual({
      rawTx: ['e'],
    })
    expect(validationErrorSchema.safeParse(validationErrorBody({ a: ['b'] })).success).toBe(true)
    expect(clientErrorSchema.safeParse({ message: 'no code' }).success).toBe(false)
  })
  it('statuses come from the catalogue and the legacy table', () => {
    expect(statusOfReason('PL2007')).toBe(409)
    expect(statusOfReason('PL5006')).toBe(504)
    expect(statusOfReason('PL0000')).toBeUndefined()
    expect(statusOfReason('toString')).toBeUndefined()
    expect(statusOfLegacyCode('D001')).toBe(409)
    expect(statusOfLegacyCode('404')).toBe(404)
    expect(statusOfLegacyCode('constructor')).toBeUndefined()
  })
})
