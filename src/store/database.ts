/**
 * The database factory: one Kysely code path over two engines (DESIGN.md "Real components").
 * - SQLite (better-sqlite3), the embedded default: WAL journal with `synchronous=FULL`, checked
 *   after opening; a money store with weaker durability is refused (`PL8002`).
 * - PostgreSQL (`pg`), when the location is a `postgres://` or `postgresql://` URL.
 * Migrations run on open, so a store is always at the latest schema.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import pg from 'pg'
import { PaylinkError } from '../core/errors.ts'
import { migrateToLatest } from './migrations/index.ts'
import type { Database } from './schema.ts'

export type Engine = 'sqlite' | 'postgres'

/** An open store. */
export interface Store {
  readonly db: Kysely<Database>
  readonly engine: Engine
  /** Where it is, with any password removed: safe to print. */
  readonly location: string
  close(): Promise<void>
}

export interface OpenOptions {
  /** PostgreSQL only: a schema to create and use (tests and multi-tenant deployments). */
  schema?: string
  /** Pool size for PostgreSQL (default 10). */
  poolSize?: number
}

/** Whether a `--db` value names PostgreSQL. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location)
}

/** Opens (creating if needed) the store at `location`: a file path or a `postgres://` URL. */
export async function openStore(location: string, options: OpenOptions = {}): Promise<Store> {
  const store = isPostgresUrl(location) ? await openPostgres(location, options) : openSqlite(location)
  try {
    await migrateToLatest(store.db, store.engine === 'postgres' ? (options.schema ?? 'public') : undefined)
  } catch (cause) {
    await store.close()
    throw cause instanceof PaylinkError ? cause : new PaylinkError('PL8003', 'migration failed', { cause })
  }
  return store
}

function openSqlite(location: string): Store {
  const file = location.replace(/^sqlite:\/\//i, '')
  if (file === '' || file === ':memory:') {
    throw new PaylinkError('PL8002', 'an in-memory SQLite store cannot keep money: give a file')
  }
  mkdirSync(dirname(file), { recursive: true })
  const native = new SQLite(file)
  try {
    native.pragma('journal_mode = WAL')
    native.pragma('synchronous = FULL')
    native.pragma('foreign_keys = ON')
    native.pragma('busy_timeout = 5000')
    assertDurable(native)
  } catch (err) {
    native.close()
    throw err
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: native }) })
  return { db, engine: 'sqlite', location: file, close: () => db.destroy() }
}

/** Refuses a SQLite connection whose journal or sync mode could lose a committed payment. */
export function assertDurable(native: SQLite.Database): void {
  const journal = String(native.pragma('journal_mode', { simple: true })).toLowerCase()
  const synchronous = Number(native.pragma('synchronous', { simple: true }))
  // synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. WAL with NORMAL can lose the last commits.
  if (journal !== 'wal' || synchronous < 2) {
    throw new PaylinkError(
      'PL8002',
      `SQLite store must use journal_mode=WAL and synchronous=FULL (got ${journal}, ${synchronous})`,
    )
  }
}

// int8 (OID 20) and numeric (1700) as JavaScript numbers: amounts and times are safe integers.
const INT8 = 20
const NUMERIC = 1700
function toSafeNumber(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new PaylinkError('PL8003', `integer out of safe range: ${text}`)
  return n
}
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC
      ? toSafeNumber
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

async function openPostgres(url: string, options: OpenOptions): Promise<Store> {
  const schema = options.schema
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new PaylinkError('PL8001', `invalid schema name "${schema}"`)
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  })
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  try {
    if (schema !== undefined) await sql`create schema if not exists ${sql.id(schema)}`.execute(db)
    else await sql`select 1`.execute(db)
  } catch (cause) {
    await db.destroy()
    throw new PaylinkError('PL8003', `cannot reach PostgreSQL at ${redact(url)}`, { cause })
  }
  return { db, engine: 'postgres', location: redact(url), close: () => db.destroy() }
}

/** A URL with its password replaced by `***`. */
export function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return '(unparsable URL)'
  }
}
