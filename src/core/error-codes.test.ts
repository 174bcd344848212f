import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AMIKO_ERROR_CODES } from '../amiko/protocol/errors.ts'
import { ERROR_CODES } from './error-codes.ts'
import { PaylinkError } from './errors.ts'

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
const documented = new Map(
  [...doc.matchAll(/^\| `(PL\d{4})` \| (\d{3}) \|/gm)].map((m) => [m[1] as string, Number(m[2])] as const),
)
const amikoSection = doc.slice(doc.indexOf('## Amiko line and node codes'))
const amikoDocumented = new Map(
  [...amikoSection.matchAll(/^\| `(AMIKO_[A-Z_]+)` \| (.+) \|$/gm)].map(
    (m) => [m[1] as string, m[2] as string] as const,
  ),
)

describe('error-code catalogue', () => {
  it('docs/errors.md lists every code with its HTTP status, and nothing else', () => {
    const catalogue = new Map(Object.entries(ERROR_CODES).map(([code, e]) => [code, e.status] as const))
    expect(documented).toEqual(catalogue)
  })

  it('docs/errors.md lists every Amiko code with its meaning, in its own section, and nothing else', () => {
    expect(doc).toContain('## Amiko line and node codes')
    expect(amikoDocumented).toEqual(new Map(Object.entries(AMIKO_ERROR_CODES)))
    expect(doc.match(/`AMIKO_[A-Z_]+` \|/g)).toHaveLength(amikoDocumented.size)
  })

  it('a PaylinkError carries its code, status and title', () => {
    const err = new PaylinkError('PL2003', 'fee 0 is below 1')
    expect(err.code).toBe('PL2003')
    expect(err.status).toBe(400)
    expect(err.title).toBe('fee too low')
    expect(err.message).toBe('fee 0 is below 1')
  })
})
