/**
 * The relay models with every party a real process on loopback (issue 4, "What it must show"):
 * `paylink devnet`, `paylink relay`, `paylink merchant --no-listen` (no port at all: customers
 * and the broadcaster reach it only through the relay), `paylink merchant invoice`, and the
 * wallet CLI. A payment in model 3 (websockets end to end) and one in model 2 (REST to the
 * relay, bridged) are ACKed; after one block the merchant holds both proofs (sent by the relay
 * as `proof.create`), and the wallet holds both: model 3's taken from the channel, model 2's
 * delivered by the merchant to its `proofCallbacks` endpoint. The same suite runs on SQLite
 * (`relay-processes.test.ts`) and on PostgreSQL (`test/service/*.pg.test.ts`), every process then
 * finding its store through `DATABASE_URL`.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BlockHeadersService, MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.ts'
import { until } from '../support/callback-receiver.ts'
import { freePort } from '../support/ports.ts'
import { runPaylink, startPaylink, stop } from '../support/process.ts'
import { type RelayParties, relayInvoice, startMerchantAndWallet } from '../support/relay-processes.ts'

const RELAY_KEY = 'e2e-relay-merchant-key-0123456789'

/**
 * Defines the suite. `databaseUrl`: a `postgres://` URL every process gets as `DATABASE_URL`;
 * undefined for each process's default SQLite file in a fresh data directory.
 */
/** Several processes, each starting node and tsx, on a loaded 2-core machine: generous. */
const E2E_TIMEOUT_MS = 150_000

export function relayProcessesSuite(databaseUrl?: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'paylink-e2e-relay-'))
  const env: Record<string, string> = {
    PAYLINK_DATA_DIR: dir,
    ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
  }
  const children: ChildProcessWithoutNullStreams[] = []
  let devnet: string
  let relayUrl: string
  let proofsUrl: string
  let parties: RelayParties

  beforeAll(async () => {
    const [devnetPort, relayPort] = await Promise.all([freePort(), freePort()])
    devnet = `http://127.0.0.1:${devnetPort}`
    relayUrl = `http://127.0.0.1:${relayPort}`
    const [chain, relay, init] = await Promise.all([
      startPaylink(['devnet', '--port', String(devnetPort)], /tip +height/, env),
      startPaylink(
        ['relay', '--port', String(relayPort), '--merchant-key', RELAY_KEY],
        /paylink relay on/,
        env,
      ),
      runPaylink(['wallet', 'init'], env),
    ])
    children.push(chain.child, relay.child)
    expect(init.code).toBe(0)
    parties = { devnet, relayUrl, relayKey: RELAY_KEY, env }
    proofsUrl = await startMerchantAndWallet(parties, children)
  }, E2E_TIMEOUT_MS)

  afterAll(async () => {
    for (const child of children.reverse()) await stop(child)
  })

  async function invoice(model: 'websocket' | 'hybrid'): Promise<{ id: string; bitcoinUri: string }> {
    const made = await relayInvoice(parties, model)
    expect(made.stderr).not.toMatch(/warning/)
    return made
  }

  describe('relay models, every party its own process, the merchant with no port', () => {
    it('pays in model 3 and model 2; after a block merchant and wallet both hold verifying proofs', {
      timeout: E2E_TIMEOUT_MS,
    }, async () => {
      const ws = await invoice('websocket')
      expect(ws.bitcoinUri).toContain(`r=${relayUrl.replace('http', 'ws')}/ws/`)
      const paidWs = await runPaylink(['wallet', 'pay', ws.bitcoinUri, '--yes'], env)
      expect(paidWs.stdout).toMatch(/paid [0-9a-f]{64}/)
      expect(paidWs.code).toBe(0)

      const hybrid = await invoice('hybrid')
      expect(hybrid.bitcoinUri).toContain(`r=${relayUrl}/api/v1/payment/`)
      const paidHybrid = await runPaylink(
        ['wallet', 'pay', hybrid.bitcoinUri, '--yes', '--proof-callback', proofsUrl],
        env,
      )
      expect(paidHybrid.code).toBe(0)

      expect((await runPaylink(['devnet', 'mine', '--url', devnet], env)).code).toBe(0)

      // The merchant's store (it has no API to ask): both payments mined with verifying proofs.
      const headers = new BlockHeadersService(devnet)
      const store = await openStore(databaseUrl ?? join(dir, 'merchant.db'))
      try {
        const payments = () =>
          store.db
            .selectFrom('merchant_payments')
            .select(['txid', 'state', 'merkle_path'])
            .where('invoice_id', 'in', [ws.id, hybrid.id])
            .execute()
        await until(async () => (await payments()).filter((p) => p.state === 'mined').length === 2, 20_000)
        for (const p of await payments())
          expect(await MerklePath.fromHex(p.merkle_path ?? '').verify(p.txid, headers)).toBe(true)
        // Proof stored: each channel was closed at the relay.
        await until(async () => {
          const open = await store.db
            .selectFrom('merchant_channels')
            .select('state')
            .where('state', '=', 'open')
            .execute()
          return open.length === 0
        })
      } finally {
        await store.close()
      }

      // The wallet: model 2's proof came to its endpoint; model 3's it takes from the channel.
      await until(async () => {
        const listed = await runPaylink(['wallet', 'proofs', '--json'], env)
        return (JSON.parse(listed.stdout) as unknown[]).length === 1
      }, 20_000)
      const proofs = await runPaylink(['wallet', 'proofs', '--headers', devnet, '--json'], env)
      expect(proofs.code).toBe(0)
      const held = JSON.parse(proofs.stdout) as { txid: string; merklePath: string; source: string }[]
      expect(held.map((p) => p.source).sort()).toEqual(['callback', 'relay'])
      for (const proof of held)
        expect(await MerklePath.fromHex(proof.merklePath).verify(proof.txid, headers)).toBe(true)
    })
  })
}
