import { describe, expect, it } from 'vitest'
import { parse, resolveConfig } from './config.ts'
import { isPaylinkError } from './errors.ts'

const spec = {
  port: { env: 'PAYLINK_TEST_PORT', default: 9090, parse: parse.port },
  host: { env: 'PAYLINK_TEST_HOST', default: '127.0.0.1', parse: parse.string },
}

describe('config: flags, then environment, then defaults', () => {
  it('takes defaults when nothing is given', () => {
    expect(resolveConfig(spec, {}, {})).toEqual({ port: 9090, host: '127.0.0.1' })
  })

  it('environment overrides defaults; flags override both', () => {
    const env = { PAYLINK_TEST_PORT: '1234', PAYLINK_TEST_HOST: '0.0.0.0' }
    expect(resolveConfig(spec, {}, env)).toEqual({ port: 1234, host: '0.0.0.0' })
    expect(resolveConfig(spec, { port: '4321' }, env)).toEqual({ port: 4321, host: '0.0.0.0' })
  })

  it('an empty environment variable counts as unset', () => {
    expect(resolveConfig(spec, {}, { PAYLINK_TEST_PORT: '' }).port).toBe(9090)
  })

  it('a bad value is PL8001 naming where it came from', () => {
    const fail = (flags: Record<string, string>, env: Record<string, string>) => {
      try {
        resolveConfig(spec, flags, env)
      } catch (err) {
        return isPaylinkError(err, 'PL8001') ? err.message : 'wrong error'
      }
      return 'no error'
    }
    expect(fail({ port: 'x' }, {})).toMatch(/--port/)
    expect(fail({}, { PAYLINK_TEST_PORT: '70000' })).toMatch(/PAYLINK_TEST_PORT/)
  })
})
