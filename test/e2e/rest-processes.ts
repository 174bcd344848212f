/**
 * The basic REST model with every party a real process on loopback (issue 3, "What it must
 * show"): `paylink devnet`, `paylink merchant`, `paylink wallet serve` and `paylink wallet pay`.
 * A payment in each dialect is ACKed; after one block the merchant and the wallet both hold a
 * merkle proof that verifies against the devnet's headers. The same suite runs on SQLite (the
 * default suite, `rest-processes.test.ts`) and on PostgreSQL (`test/service/*.pg.test.ts`), every
 * process then finding its store through `DATABASE_URL`.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BlockHeadersService, MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../src/store/index.ts'
import { freePort } from '../support/ports.ts'
import { runPaylink, startPaylink, stop } from '../support/process.ts'

type Json = Record<string, unknown>

const KEY = 'e2e-admin-key-0123456789'

/**
 * Defines the suite. `databaseUrl`: a `postgres://` URL every process gets as `DATABASE_URL`;
 * undefined for each process's default SQLite file in a fresh data directory.
 */
/** Several processes, each starting node and tsx, on a loaded 2-core machine: generous. */
const E2E_TIMEOUT_MS = 150_000

export function restProcessesSuite(databaseUrl?: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'paylink-e2e-'))
  const env: Record<string, string> = {
    PAYLINK_DATA_DIR: dir,
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  }
  const children: ChildProcessWithoutNullStreams[] = []
  let devnet: string
  let shop: string
  let proofsUrl: string

  beforeAll(async () => {
    const [devnetPort, shopPort] = await Promise.all([freePort(), freePort()])
    devnet = `http://127.0.0.1:${devnetPort}`
    shop = `http://127.0.0.1:${shopPort}`
    const chain = await startPaylink(['devnet', '--port', String(devnetPort)], /tip +height/, env)
    children.push(chain.child)
    const [merchant, init] = await Promise.all([
      startPaylink(
        ['merchant', '--port', String(shopPort), '--arc', devnet, '--api-key', KEY],
        /paylink merchant on/,
        env,
      ),
      runPaylink(['wallet', 'init'], env),
    ])
    children.push(merchant.child)
    expect(init.code).toBe(0)
    const [served, funded] = await Promise.all([
      startPaylink(['wallet', 'serve', '--headers', devnet], /proofs endpoint on (http:\/\/\S+)/, env),
      runPaylink(['wallet', 'fund', '--devnet', devnet, '--satoshis', '100000'], env),
    ])
    children.push(served.child)
    proofsUrl = served.match[1] as string
    expect(funded.code).toBe(0)
  }, E2E_TIMEOUT_MS)

  afterAll(async () => {
    for (const child of children.reverse()) await stop(child)
  })

  async function invoice(description: string): Promise<Json> {
    const res = await fetch(`${shop}/api/v1/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ satoshis: 4000, description }),
    })
    return (await res.json()) as Json
  }

  async function invoiceState(id: string): Promise<Json> {
    return (await (
      await fetch(`${shop}/api/v1/invoices/${id}`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as Json
  }

  describe('REST model, every party its own process', () => {
    it('pays in P4 JSON and in strict BIP270; after a block both sides hold verifying proofs', {
      timeout: E2E_TIMEOUT_MS,
    }, async () => {
      const p4 = await invoice('p4 dialect')
      const paidP4 = await runPaylink(
        ['wallet', 'pay', p4['bitcoinUri'] as string, '--yes', '--proof-callback', proofsUrl],
        env,
      )
      expect(paidP4.code).toBe(0)
      expect(paidP4.stdout).toMatch(/paid [0-9a-f]{64}/)

      const bip270 = await invoice('bip270 dialect')
      const paidBip270 = await runPaylink(
        ['wallet', 'pay', bip270['payUri'] as string, '--yes', '--bip270'],
        env,
      )
      expect(paidBip270.code).toBe(0)

      const mined = await runPaylink(['devnet', 'mine', '--url', devnet], env)
      expect(mined.code).toBe(0)

      const headers = new BlockHeadersService(devnet)
      for (const id of [p4['id'], bip270['id']] as string[]) {
        let state = await invoiceState(id)
        for (let i = 0; i < 100 && (state['payment'] as Json)['state'] !== 'mined'; i++) {
          await new Promise((r) => setTimeout(r, 100))
          state = await invoiceState(id)
        }
        const payment = state['payment'] as { txid: string; state: string; proof: { merklePath: string } }
        expect(state['state']).toBe('paid')
        expect(payment.state).toBe('mined')
        expect(await MerklePath.fromHex(payment.proof.merklePath).verify(payment.txid, headers)).toBe(true)
      }

      // The wallet: the P4 payment's proof was delivered to its endpoint by the merchant; the
      // BIP270 one it asks the broadcaster for.
      const proofs = await runPaylink(['wallet', 'proofs', '--arc', devnet, '--json'], env)
      expect(proofs.code).toBe(0)
      const held = JSON.parse(proofs.stdout) as { txid: string; merklePath: string; source: string }[]
      expect(held).toHaveLength(2)
      for (const proof of held)
        expect(await MerklePath.fromHex(proof.merklePath).verify(proof.txid, headers)).toBe(true)
      expect(held.map((p) => p.source).sort()).toEqual(['broadcaster', 'callback'])

      // Each process kept its rows where it was told: its SQLite file, or the PostgreSQL schema.
      const txids = held.map((p) => p.txid).sort()
      const stored = async (
        name: 'devnet' | 'merchant' | 'wallet',
        read: (s: Store) => Promise<string[]>,
      ) => {
        const store = await openStore(databaseUrl ?? join(dir, `${name}.db`))
        try {
          return (await read(store)).filter((txid) => txids.includes(txid)).sort()
        } finally {
          await store.close()
        }
      }
      const column = (rows: { txid: string | null }[]) =>
        rows.flatMap((r) => (r.txid === null ? [] : [r.txid]))
      expect(
        await stored('merchant', async (s) =>
          column(await s.db.selectFrom('merchant_payments').select('txid').execute()),
        ),
      ).toEqual(txids)
      expect(
        await stored('wallet', async (s) =>
          column(await s.db.selectFrom('wallet_payments').select('txid').execute()),
        ),
      ).toEqual(txids)
      expect(
        await stored('devnet', async (s) =>
          column(await s.db.selectFrom('devnet_txs').select('txid').execute()),
        ),
      ).toEqual(txids)
    })
  })
}
