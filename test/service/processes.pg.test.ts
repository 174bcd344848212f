/**
 * The REST and relay end-to-end suites (`test/e2e`) with every process on PostgreSQL: devnet,
 * merchant, relay and wallet processes all get `DATABASE_URL` naming one fresh schema per suite,
 * as one small deployment shares one database (each service has its own tables).
 */
import { afterAll, describe } from 'vitest'
import { relayProcessesSuite } from '../e2e/relay-processes.ts'
import { restProcessesSuite } from '../e2e/rest-processes.ts'
import { dropPgTestSchemas, pgTestSchema, pgUrl } from '../support/services.ts'

const url = pgUrl()

/** The test database's URL naming a fresh schema (paylink's `schema` parameter). */
function inSchema(base: string | undefined): string {
  // A skipped suite is still collected: it gets a URL it never uses.
  const u = new URL(base ?? 'postgres://unset')
  u.searchParams.set('schema', pgTestSchema())
  return u.toString()
}

describe.skipIf(url === undefined)('end to end on PostgreSQL', () => {
  afterAll(() => dropPgTestSchemas(url as string))
  describe('REST', () => restProcessesSuite(inSchema(url)))
  describe('relay', () => relayProcessesSuite(inSchema(url)))
})
