import { describe, expect, it } from 'vitest'
import { AMIKO_ERROR_CODES, AmikoError, isAmikoErrorCode } from './errors.ts'

describe('Amiko error codes', () => {
  it('an AmikoError carries its code and defaults its message to the meaning', () => {
    const err = new AmikoError('AMIKO_BAD_URL')
    expect(err.code).toBe('AMIKO_BAD_URL')
    expect(err.message).toBe(AMIKO_ERROR_CODES.AMIKO_BAD_URL)
  })

  it('isAmikoErrorCode refuses other strings, including prototype names', () => {
    expect(isAmikoErrorCode('PL1001')).toBe(false)
    expect(isAmikoErrorCode('constructor')).toBe(false)
  })
})
