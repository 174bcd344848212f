import { describe, expect, it } from 'vitest'
import { hostFailure, readRefusal } from './host-failure.ts'

describe('reading a payment host refusal (§11)', () => {
  it('takes our reason from a ClientError', () => {
    const body = { id: 'x', code: 'E001', title: 'paid late', message: 'too late', reason: 'PL2005' }
    expect(readRefusal(422, body)).toEqual({ reason: 'PL2005', message: 'too late' })
    const err = hostFailure(422, body, 'the payment')
    expect(err.code).toBe('PL2005')
    expect(err.message).toBe('the payment: too late (HTTP 422)')
  })

  it("maps payd's legacy codes when no reason is given", () => {
    expect(readRefusal(404, { code: 'N00001', message: 'not found' }).reason).toBe('PL1010')
    expect(readRefusal(409, { code: 'D001' }).reason).toBe('PL2007')
    expect(readRefusal(422, { code: 'U102' }).reason).toBe('PL2009')
  })

  it('summarises a validation body by field', () => {
    const body = { errors: { fees: ['not enough fees paid'], rawTx: ['bad', 'worse'] }, reason: 'PL2003' }
    expect(readRefusal(400, body)).toEqual({
      reason: 'PL2003',
      message: 'fees: not enough fees paid; rawTx: bad, worse',
    })
  })

  it('anything else is the status, and not one of our codes', () => {
    expect(readRefusal(418, 'teapot')).toEqual({
      reason: 'HTTP 418',
      message: 'the payment host answered 418',
    })
    expect(hostFailure(418, undefined, 'the request').code).toBe('PL8005')
    expect(hostFailure(400, { code: 'X9', reason: 'SOMETHING' }, 'the request').code).toBe('PL8005')
  })
})
