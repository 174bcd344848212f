/**
 * A relay cluster of two instances (issue 7): `paylink relay` A and B share one PostgreSQL schema
 * and NATS (subjects under a prefix of this run only). Every other party is a real process too:
 * `paylink devnet`, `paylink merchant --no-listen` and the wallet CLI. The merchant reaches the
 * cluster through a loopback fail-over proxy (the load balancer: A while A is up, else B), so its
 * sockets are on A; customers go straight to B. Model 3 (websockets end to end, crossing the
 * instances over NATS) and model 2 (REST to B, bridged to the merchant on A by request/reply) are
 * paid and proven. Then A is killed (SIGKILL) with a model 3 invoice open: the merchant's socket
 * drops, the customer's messages wait in the shared queue, the merchant rejoins on B and the
 * payment completes, once.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BlockHeadersService, MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomId } from '../../src/core/ids.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { until } from '../support/callback-receiver.ts'
import { freePort } from '../support/ports.ts'
import { runPaylink, startPaylink, stop } from '../support/process.ts'
import { type RelayParties, relayInvoice, startMerchantAndWallet } from '../support/relay-processes.ts'
import { dropPgTestSchemas, openPgTestStore, pgTestSchema, pgUrl } from '../support/services.ts'
import { type FailoverProxy, failoverProxy } from './failover-proxy.ts'
import { natsUrl } from './nats-url.ts'

const pg = pgUrl()
const nats = natsUrl()
const RELAY_KEY = 'cluster-relay-merchant-key-0123456789'
const dir = mkdtempSync(join(tmpdir(), 'paylink-cluster-'))
const env = { PAYLINK_DATA_DIR: dir }
const children: ChildProcessWithoutNullStreams[] = []
let relayA: ChildProcessWithoutNullStreams
let devnet: string
let proxy: FailoverProxy
let proxyUrl: string
let bUrl: string
let proofsUrl: string
let parties: RelayParties
let relayStore: Store

/** Starts one relay instance of the cluster. */
async function startInstance(port: number, publicUrl: string, schema: string, prefix: string) {
  const args = ['relay', '--port', String(port), '--public-url', publicUrl, '--merchant-key', RELAY_KEY]
  const cluster = [
    '--db',
    pg as string,
    '--db-schema',
    schema,
    '--nats',
    nats as string,
    '--nats-prefix',
    prefix,
  ]
  return startPaylink([...args, ...cluster], /paylink relay on/, env)
}

beforeAll(async () => {
  if (pg === undefined || nats === undefined) return
  const schema = pgTestSchema()
  relayStore = await openPgTestStore(pg, schema)
  const prefix = `paylinktest.${randomId(12)}`
  const [devnetPort, aPort, bPort] = await Promise.all([freePort(), freePort(), freePort()])
  devnet = `http://127.0.0.1:${devnetPort}`
  bUrl = `http://127.0.0.1:${bPort}`
  proxy = await failoverProxy([aPort, bPort])
  proxyUrl = `http://127.0.0.1:${proxy.port}`
  // A's public origin is the load balancer's; B's is its own, which customers use directly.
  const [chain, a, b, init] = await Promise.all([
    startPaylink(['devnet', '--port', String(devnetPort)], /tip +height/, env),
    startInstance(aPort, proxyUrl, schema, prefix),
    startInstance(bPort, bUrl, schema, prefix),
    runPaylink(['wallet', 'init'], env),
  ])
  relayA = a.child
  children.push(chain.child, a.child, b.child)
  expect(a.output()).toMatch(/cluster +NATS/)
  expect(init.code).toBe(0)
  parties = { devnet, relayUrl: proxyUrl, relayKey: RELAY_KEY, env }
  proofsUrl = await startMerchantAndWallet(parties, children)
}, 120_000)

afterAll(async () => {
  for (const child of children.reverse())
    if (child.exitCode === null && child.signalCode === null) await stop(child)
  await proxy?.close()
  await relayStore?.close()
  if (pg !== undefined) await dropPgTestSchemas(pg)
})

const invoice = (model: 'websocket' | 'hybrid') => relayInvoice(parties, model)

/** The invoice's URI as a customer sent to instance B sees it (the same channel, another door). */
const onB = (uri: string): string => uri.replaceAll(`127.0.0.1:${proxy.port}`, bUrl.replace('http://', ''))

async function merchantPayments(ids: string[]) {
  const store = await openStore(join(dir, 'merchant.db'))
  try {
    return await store.db
      .selectFrom('merchant_payments')
      .select(['invoice_id', 'txid', 'state', 'merkle_path'])
      .where('invoice_id', 'in', ids)
      .execute()
  } finally {
    await store.close()
  }
}

async function verifyMined(ids: string[]): Promise<void> {
  const headers = new BlockHeadersService(devnet)
  await until(
    async () => (await merchantPayments(ids)).filter((p) => p.state === 'mined').length === ids.length,
    30_000,
  )
  for (const p of await merchantPayments(ids))
    expect(await MerklePath.fromHex(p.merkle_path ?? '').verify(p.txid, headers)).toBe(true)
}

describe.skipIf(pg === undefined || nats === undefined)(
  'relay cluster: two instances over PostgreSQL and NATS',
  () => {
    it('merchant on A, customer on B: model 3 and model 2 are paid, and both proofs reach merchant and wallet', async () => {
      const ws = await invoice('websocket')
      expect(proxy.counts[0]).toBeGreaterThan(0)
      expect(proxy.counts[1]).toBe(0)
      const paidWs = await runPaylink(['wallet', 'pay', onB(ws.bitcoinUri), '--yes'], env)
      expect(paidWs.stdout).toMatch(/paid [0-9a-f]{64}/)
      expect(paidWs.code).toBe(0)

      const hybrid = await invoice('hybrid')
      expect(onB(hybrid.bitcoinUri)).toContain(`r=${bUrl}/api/v1/payment/`)
      const paidHybrid = await runPaylink(
        ['wallet', 'pay', onB(hybrid.bitcoinUri), '--yes', '--proof-callback', proofsUrl],
        env,
      )
      expect(paidHybrid.stdout).toMatch(/paid [0-9a-f]{64}/)
      expect(paidHybrid.code).toBe(0)
      // Everything the merchant did went to A: B saw customers only.
      expect(proxy.counts[1]).toBe(0)

      expect((await runPaylink(['devnet', 'mine', '--url', devnet], env)).code).toBe(0)
      await verifyMined([ws.id, hybrid.id])
      // Model 2's proof: the merchant delivered it to the wallet's endpoint; model 3's is on the channel.
      await until(async () => {
        const listed = await runPaylink(['wallet', 'proofs', '--json'], env)
        return (JSON.parse(listed.stdout) as unknown[]).length === 1
      }, 30_000)
      const collected = await runPaylink(['wallet', 'proofs', '--headers', devnet, '--json'], env)
      expect(collected.code).toBe(0)
      const held = JSON.parse(collected.stdout) as { source: string }[]
      expect(held.map((p) => p.source).sort()).toEqual(['callback', 'relay'])
    })

    it('A killed with an invoice open: the merchant rejoins on B and the payment completes once', async () => {
      const ws = await invoice('websocket')
      const channel = await relayStore.db
        .selectFrom('relay_channels')
        .select('id')
        .where('reference', '=', ws.id)
        .executeTakeFirstOrThrow()
      const queued = (role: 'merchant' | 'customer') =>
        relayStore.db
          .selectFrom('relay_queue')
          .select('id')
          .where('channel_id', '=', channel.id)
          .where('role', '=', role)
          .where('seq', '>', 0)
          .execute()
      // A dies; the load balancer has no instance for the merchant until the customer has spoken.
      proxy.refusing = true
      relayA.kill('SIGKILL')
      await new Promise((resolve) => relayA.once('exit', resolve))
      const paying = runPaylink(['wallet', 'pay', onB(ws.bitcoinUri), '--yes'], env)
      // B accepted the customer's request with no merchant anywhere: it waits in the shared queue.
      await until(async () => (await queued('merchant')).length > 0, 60_000)
      proxy.refusing = false
      const paid = await paying
      expect(paid.stdout).toMatch(/paid [0-9a-f]{64}/)
      expect(paid.code).toBe(0)
      // The merchant's socket now goes through the proxy to B.
      expect(proxy.counts[1]).toBeGreaterThan(0)

      expect((await runPaylink(['devnet', 'mine', '--url', devnet], env)).code).toBe(0)
      await verifyMined([ws.id])
      const payments = await merchantPayments([ws.id])
      expect(payments).toHaveLength(1)
      // The wallet takes the proof from the channel, on B.
      const collected = await runPaylink(['wallet', 'proofs', '--headers', devnet, '--json'], env)
      const held = JSON.parse(collected.stdout) as { txid: string; source: string }[]
      expect(held.filter((p) => p.txid === payments[0]?.txid).map((p) => p.source)).toEqual(['relay'])
      // Then nothing is left undelivered in the shared queue for that channel.
      expect(await queued('merchant')).toEqual([])
      expect(await queued('customer')).toEqual([])
    })
  },
)
