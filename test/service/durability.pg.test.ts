/**
 * A PostgreSQL store must keep commits durable (issue 7): `synchronous_commit=off` acknowledges a
 * commit before it is on disk, so an ACKed payment could vanish in a crash. Whether it comes from
 * the URL's startup `options` or from the role, the store is refused with `PL8002`, as SQLite
 * without WAL and `synchronous=FULL` is; a durable setting (`local`) opens.
 */
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { isPaylinkError } from '../../src/core/errors.ts'
import { openStore } from '../../src/store/index.ts'
import { dropPgTestSchemas, openPgTestStore, pgTestSchema, pgUrl } from '../support/services.ts'

const url = pgUrl()

/** `url` with its query parameter `name` set to `value`. */
function withParam(base: string, name: string, value: string): string {
  const u = new URL(base)
  u.searchParams.set(name, value)
  return u.toString()
}

/** The PL8002 message of a refused open, or a description of what happened instead. */
async function refusal(location: string): Promise<string> {
  try {
    const store = await openStore(location, { schema: pgTestSchema() })
    await store.close()
    return 'opened'
  } catch (err) {
    return isPaylinkError(err, 'PL8002') ? err.message : `other error: ${String(err)}`
  }
}

describe.skipIf(url === undefined)('PostgreSQL durability', () => {
  const role = 'paylink_test_async_commit'
  afterAll(async () => {
    const admin = await openPgTestStore(url as string)
    try {
      await sql`drop role if exists ${sql.id(role)}`.execute(admin.db)
    } finally {
      await admin.close()
      await dropPgTestSchemas(url as string)
    }
  })

  it('refuses synchronous_commit=off set in the URL’s startup options: PL8002', async () => {
    const message = await refusal(withParam(url as string, 'options', '-c synchronous_commit=off'))
    expect(message).toMatch(/synchronous_commit=off/)
  })

  it('refuses a role whose synchronous_commit is off: PL8002', async () => {
    const admin = await openPgTestStore(url as string)
    try {
      await sql`drop role if exists ${sql.id(role)}`.execute(admin.db)
      await sql`create role ${sql.id(role)} login`.execute(admin.db)
      await sql`alter role ${sql.id(role)} set synchronous_commit = off`.execute(admin.db)
    } finally {
      await admin.close()
    }
    const asRole = new URL(url as string)
    asRole.username = role
    asRole.password = ''
    expect(await refusal(asRole.toString())).toMatch(/synchronous_commit=off/)
  })

  it('opens with synchronous_commit=local, in the schema the URL names, keeping the URL’s options', async () => {
    const schema = pgTestSchema()
    const location = withParam(
      withParam(url as string, 'options', '-c synchronous_commit=local'),
      'schema',
      schema,
    )
    const store = await openStore(location)
    try {
      const { rows } = await sql<{ setting: string; path: string }>`
        select current_setting('synchronous_commit') as setting, current_schema() as path`.execute(store.db)
      expect(rows).toEqual([{ setting: 'local', path: schema }])
      await store.db.insertInto('devnet_meta').values({ key: 'k', value: 'v' }).execute()
      const { rows: tables } = await sql<{ n: number }>`
        select count(*)::int as n from information_schema.tables
        where table_schema = ${schema} and table_name = 'devnet_meta'`.execute(store.db)
      expect(tables).toEqual([{ n: 1 }])
    } finally {
      await store.close()
    }
  })
})
