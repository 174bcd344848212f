import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { storeContract } from '../../test/support/store-contract.ts'
import { isPaylinkError } from '../core/errors.ts'
import { assertDurable, isPostgresUrl, openStore, redact } from './database.ts'

const dir = mkdtempSync(join(tmpdir(), 'paylink-store-'))
let n = 0

describe('store on SQLite', () => {
  storeContract(() => openStore(join(dir, `s${n++}.db`)))

  it('keeps data across a reopen of the same file', async () => {
    const file = join(dir, 'reopen.db')
    const a = await openStore(file)
    await a.db.insertInto('devnet_meta').values({ key: 'k', value: 'v' }).execute()
    await a.close()
    const b = await openStore(file)
    expect(await b.db.selectFrom('devnet_meta').selectAll().execute()).toEqual([{ key: 'k', value: 'v' }])
    await b.close()
  })

  it('refuses an in-memory money store', async () => {
    await expect(openStore(':memory:')).rejects.toSatisfy((e) => isPaylinkError(e, 'PL8002'))
  })

  it('refuses a connection without WAL and synchronous=FULL', () => {
    const native = new SQLite(join(dir, 'weak.db'))
    native.pragma('journal_mode = DELETE')
    native.pragma('synchronous = NORMAL')
    expect(() => assertDurable(native)).toThrow(/WAL and synchronous=FULL/)
    native.pragma('journal_mode = WAL')
    expect(() => assertDurable(native)).toThrow(/synchronous=FULL/)
    native.pragma('synchronous = FULL')
    expect(() => assertDurable(native)).not.toThrow()
    native.close()
  })

  it('tells PostgreSQL URLs from files and redacts passwords', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true)
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true)
    expect(isPostgresUrl('./data/devnet.db')).toBe(false)
    expect(redact('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db')
  })
})
