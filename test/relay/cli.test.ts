/** `paylink relay merchants add` prints a key the relay then accepts; `--nats` refuses a SQLite store. */
import { describe, expect, it } from 'vitest'
import { tempDb } from '../support/devnet.ts'
import { runPaylink } from '../support/process.ts'
import { startRelay } from './relay-support.ts'

describe('paylink relay merchants add', () => {
  it('prints a new merchant key that opens channels', async () => {
    const db = tempDb('relay-cli')
    const added = await runPaylink(['relay', 'merchants', 'add', '--db', db])
    expect(added.code).toBe(0)
    const key = added.stdout.trim()
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const r = await startRelay({ db, merchantKeys: [] })
    try {
      const res = await fetch(`${r.base}/api/v1/channels`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      })
      expect(res.status).toBe(201)
    } finally {
      await r.close()
    }
  })
})

describe('paylink relay --nats', () => {
  it('refuses a SQLite store with PL8001 before reaching NATS: a cluster needs a shared database', async () => {
    const started = await runPaylink(['relay', '--nats', 'nats://127.0.0.1:1', '--db', tempDb('relay-nats')])
    expect(started.code).toBe(1)
    expect(started.stderr).toMatch(/needs a shared PostgreSQL store.*PL8001/)
  })
})
