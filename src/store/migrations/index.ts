/**
 * The one migration set, for both engines. Migrations are listed in order here (not read from
 * the file system) so they bundle and run the same everywhere.
 */
import { type Kysely, type Migration, Migrator } from 'kysely'
import { PaylinkError } from '../../core/errors.ts'
import { devnet001 } from './001-devnet.ts'
import { merchant002 } from './002-merchant.ts'
import { wallet003 } from './003-wallet.ts'
import { relay004 } from './004-relay.ts'
import { merchantRelay005 } from './005-merchant-relay.ts'
import { relaySeen006 } from './006-relay-merchant-seen.ts'
import { amiko007 } from './007-amiko.ts'
import { relayQueueMessage008 } from './008-relay-queue-message.ts'

const MIGRATIONS: Record<string, Migration> = {
  '001-devnet': devnet001,
  '002-merchant': merchant002,
  '003-wallet': wallet003,
  '004-relay': relay004,
  '005-merchant-relay': merchantRelay005,
  '006-relay-merchant-seen': relaySeen006,
  '007-amiko': amiko007,
  '008-relay-queue-message': relayQueueMessage008,
}

/**
 * Brings the store to the latest schema; throws `PL8003` naming the failed migration. On
 * PostgreSQL `schema` must name the schema in use: Kysely looks for its bookkeeping tables across
 * all schemas otherwise, and would find another schema's.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'paylink_migration',
    migrationLockTableName: 'paylink_migration_lock',
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new PaylinkError('PL8003', `migration ${failed} failed`, { cause: error })
  }
}

/** Names of all migrations, in order. */
export const MIGRATION_NAMES = Object.keys(MIGRATIONS)
