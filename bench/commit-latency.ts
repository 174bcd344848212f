/**
 * What one durable SQLite commit costs on this disk: the store's settings (WAL, synchronous=FULL,
 * so one fsync of the log per commit), one small row per commit, in a scratch file beside the
 * benchmark's stores.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'

/** Seconds for `count` commits of one row each in a scratch database in `dir`. */
export function commitSeconds(dir: string, count: number): number {
  const file = join(dir, 'commit-latency.db')
  const db = new SQLite(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)')
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
    const started = performance.now()
    for (let i = 0; i < count; i++) insert.run('x'.repeat(200))
    return (performance.now() - started) / 1000
  } finally {
    db.close()
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true })
  }
}
