/** `paylink/store`: the database factory, migrations and transaction helper. */
export {
  assertDurable,
  assertPostgresDurable,
  type Engine,
  isPostgresUrl,
  type OpenOptions,
  openStore,
  redact,
  type Store,
} from './database.ts'
export { MIGRATION_NAMES, migrateToLatest } from './migrations/index.ts'
export type { Database } from './schema.ts'
export { inTransaction, isUniqueViolation, type Tx } from './transaction.ts'
