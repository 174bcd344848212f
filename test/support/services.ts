/**
 * Where the service suites find their services. A suite whose service is not configured says so
 * in one line; under `CI=true` that is a failure, never a silent skip (DESIGN.md "Tests").
 */
import { sql } from 'kysely'
import { randomId } from '../../src/core/ids.ts'
import { openStore, type Store } from '../../src/store/index.ts'

/** The PostgreSQL URL for service tests, or undefined (after saying why) when not configured. */
export function pgUrl(): string | undefined {
  const url = process.env['PAYLINK_TEST_PG_URL']
  if (url !== undefined && url !== '') return url
  const line =
    'PostgreSQL suite: PAYLINK_TEST_PG_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)'
  if (process.env['CI'] === 'true') throw new Error(line)
  console.warn(`${line}; skipped`)
  return undefined
}

const created = new Set<string>()

/** A fresh schema name for a test store, remembered so `dropPgTestSchemas` can remove it. */
export function pgTestSchema(): string {
  const schema = `t_${randomId(12).toLowerCase()}`
  created.add(schema)
  return schema
}

/** Opens a store in its own PostgreSQL schema (fresh by default), so test files never see each other's rows. */
export function openPgTestStore(url: string, schema = pgTestSchema()): Promise<Store> {
  return openStore(url, { schema })
}

/** Drops every schema this test file created, so the test database does not fill up (call in `afterAll`). */
export async function dropPgTestSchemas(url: string): Promise<void> {
  const [first] = created
  if (first === undefined) return
  const store = await openStore(url, { schema: first })
  try {
    for (const schema of created) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db)
    created.clear()
  } finally {
    await store.close()
  }
}
