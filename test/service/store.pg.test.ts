import { afterAll, describe } from 'vitest'
import { dropPgTestSchemas, openPgTestStore, pgUrl } from '../support/services.ts'
import { storeContract } from '../support/store-contract.ts'

const url = pgUrl()

describe.skipIf(url === undefined)('store on PostgreSQL', () => {
  afterAll(() => dropPgTestSchemas(url as string))
  storeContract(() => openPgTestStore(url as string))
})
