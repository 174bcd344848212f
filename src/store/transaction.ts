/**
 * The transaction helper: runs `fn` in one database transaction, committed when it returns and
 * rolled back when it throws. On SQLite the single connection serialises transactions within
 * the process; decisions between concurrent writers are left to unique indexes and guarded
 * updates (`where state = …`), which both engines enforce the same way.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Store } from './database.ts'
import type { Database } from './schema.ts'

export type Tx = Transaction<Database>

/** Runs `fn` inside a transaction and returns its result. */
export function inTransaction<T>(store: Store | Kysely<Database>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const db = 'db' in store ? store.db : store
  return db.transaction().execute(fn)
}

/** Whether `err` is a unique-constraint violation, on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}
