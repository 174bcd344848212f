/**
 * The database factory: one Kysely code path over two engines (DESIGN.md "Real components").
 * - SQLite (better-sqlite3), the embedded default: WAL journal with `synchronous=FULL`, checked
 *   after opening; a money store with weaker durability is refused (`PL8002`).
 * - PostgreSQL (`pg`), when the location is a `postgres://` or `postgresql://` URL (its own
 *   `schema` parameter picks a schema, created when missing). Its
 *   `synchronous_commit` and `fsync` are read at open; either `off` (server, database, role or the
 *   URL's `options`) lets a commit be lost, so the store is refused (`PL8002`) like weak SQLite.
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
  const postgres = isPostgresUrl(location) ? postgresLocation(location, options) : undefined
  const store = postgres === undefined ? openSqlite(location) : await openPostgres(postgres)
  try {
    await migrateToLatest(store.db, postgres === undefined ? undefined : (postgres.schema ?? 'public'))
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

/** Where and how to connect to PostgreSQL, split out of a `--db` URL and the open options. */
interface PostgresLocation {
  /** The URL as `pg` gets it: without paylink's `schema` and with `options` moved out. */
  connectionString: string
  /** Without password, for messages. */
  printable: string
  schema: string | undefined
  /** Startup `options` (`-c name=value …`): the URL's, then the schema's `search_path`. */
  sessionOptions: string
  poolSize: number
}

/**
 * Reads a PostgreSQL `--db` URL. Its `schema` parameter (paylink's own, for one database shared
 * by several deployments or test runs) names the schema to create and use; `options.schema`
 * wins over it. Its `options` parameter is kept and joined with the `search_path`: `pg` would let
 * the URL's `options` replace the pool's, and the durability check must see what the URL sets.
 */
function postgresLocation(url: string, options: OpenOptions): PostgresLocation {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (cause) {
    throw new PaylinkError('PL8001', 'the PostgreSQL URL does not parse', { cause })
  }
  const schema = options.schema ?? (parsed.searchParams.get('schema') || undefined)
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new PaylinkError('PL8001', `invalid schema name "${schema}"`)
  }
  const startup = parsed.searchParams.get('options') ?? ''
  parsed.searchParams.delete('schema')
  parsed.searchParams.delete('options')
  return {
    connectionString: parsed.toString(),
    printable: redact(url),
    schema,
    sessionOptions: [startup, schema === undefined ? '' : `-c search_path=${schema}`]
      .filter((o) => o !== '')
      .join(' '),
    poolSize: options.poolSize ?? 10,
  }
}

async function openPostgres(at: PostgresLocation): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: at.connectionString,
    max: at.poolSize,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
    ...(at.sessionOptions === '' ? {} : { options: at.sessionOptions }),
  })
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  try {
    await assertPostgresDurable(db, at.printable)
    if (at.schema !== undefined) await createSchema(db, at.schema)
  } catch (cause) {
    await db.destroy()
    if (cause instanceof PaylinkError) throw cause
    throw new PaylinkError('PL8003', `cannot reach PostgreSQL at ${at.printable}`, { cause })
  }
  return { db, engine: 'postgres', location: at.printable, close: () => db.destroy() }
}

/**
 * Refuses a PostgreSQL session that acknowledges commits before they are on disk: with
 * `synchronous_commit=off` an ACKed payment can vanish in a crash, with `fsync=off` the whole
 * cluster can. `local`, `remote_write`, `on` and `remote_apply` all flush locally first.
 */
export async function assertPostgresDurable(db: Kysely<Database>, printable: string): Promise<void> {
  const { rows } = await sql<{ name: string; setting: string }>`
    select name, setting from pg_settings where name in ('synchronous_commit', 'fsync')`.execute(db)
  const off = rows.filter((r) => r.setting.toLowerCase() === 'off').map((r) => `${r.name}=off`)
  if (off.length > 0) {
    throw new PaylinkError(
      'PL8002',
      `PostgreSQL store at ${printable} must keep commits durable: ${off.join(', ')} (set them on)`,
    )
  }
}

/**
 * `create schema if not exists` is not safe against itself: two processes opening a new schema
 * at once (several merchant instances starting together) can both pass the check, and the loser
 * fails on the catalogue's unique index; the schema exists then, which is all that was asked.
 */
async function createSchema(db: Kysely<Database>, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db)
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code
    if (code !== '23505' && code !== '42P06') throw err
  }
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
