/**
 * The wallet's merkle proofs after a block: asked of the broadcaster (`checkProofs`), and
 * delivered by the merchant to the wallet's own `proofCallbacks` endpoint (`serveProofs`), in
 * both cases verified against the devnet's headers before they are stored.
 */
import { MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HeadersClient } from '../../src/chain/headers-client.ts'
import type { ProofServer } from '../../src/wallet/index.ts'
import { type RunningShop, startShop } from '../support/merchant.ts'
import { createInvoice, eventually, invoiceState, openWallet } from './wallet-support.ts'

let shop: RunningShop
let wallet: Awaited<ReturnType<typeof openWallet>>
let server: ProofServer

beforeAll(async () => {
  shop = await startShop({ proofDelivery: { retryBaseMs: 50, pollMs: 25 } })
  wallet = await openWallet()
  await wallet.fundFromDevnet(shop.net.urls.base, 50_000)
  server = await wallet.serveProofs({ headersUrl: shop.net.urls.headers })
})
afterAll(async () => {
  await server.close()
  await wallet.close()
  await shop.close()
})

async function mine(): Promise<void> {
  const res = await fetch(`${shop.net.urls.base}/devnet/mine`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })
  expect(res.status).toBe(200)
}

async function rootConfirmed(txid: string, merklePath: string): Promise<boolean> {
  const path = MerklePath.fromHex(merklePath)
  const headers = new HeadersClient(shop.net.urls.headers)
  return (
    (await headers.verifyRoots([{ blockHeight: path.blockHeight, merkleRoot: path.computeRoot(txid) }])) ===
    'CONFIRMED'
  )
}

describe('wallet proofs', () => {
  it('after a block checkProofs gets the proof from ARC; it verifies and confirms the change', async () => {
    const paid = await wallet.pay(await wallet.fetchRequest((await createInvoice(shop, 3000)).bitcoinUri))
    expect(paid.state).toBe('acked')
    expect(await wallet.checkProofs(shop.net.urls.arc)).toEqual([])
    expect((await wallet.balance()).unconfirmed).toBeGreaterThan(0)

    await mine()
    const stored = await wallet.checkProofs(shop.net.urls.arc)
    expect(stored).toMatchObject([{ txid: paid.txid, paymentId: paid.id, source: 'broadcaster' }])
    expect(await rootConfirmed(paid.txid, stored[0]!.merklePath)).toBe(true)
    expect((await wallet.balance()).unconfirmed).toBe(0)
    expect((await wallet.history())[0]).toMatchObject({
      id: paid.id,
      proof: { blockHeight: stored[0]!.blockHeight },
    })
    expect(await wallet.checkProofs(shop.net.urls.arc)).toEqual([])
  })

  it("the merchant delivers the proof to the wallet's proofCallbacks endpoint after the block", async () => {
    const invoice = await createInvoice(shop, 4000)
    const paid = await wallet.pay(await wallet.fetchRequest(invoice.bitcoinUri), {
      proofCallbackUrl: server.url,
    })
    expect(paid.state).toBe('acked')

    await mine()
    const proof = await eventually(async () => (await wallet.proofs()).find((p) => p.txid === paid.txid))
    expect(proof).toMatchObject({ paymentId: paid.id, source: 'callback' })
    expect(await rootConfirmed(paid.txid, proof.merklePath)).toBe(true)
    // The merchant holds the same proof.
    const seen = await eventually(async () => {
      const body = await invoiceState(shop, invoice.id)
      const payment = body['payment'] as { proof: { merklePath: string } | null }
      return payment.proof ?? undefined
    })
    expect(seen.merklePath).toBe(proof.merklePath)
  })

  it('the proof endpoint refuses a wrong token and an unknown payment, changing nothing', async () => {
    const paid = (await wallet.history()).find((p) => p.state === 'acked')!
    const post = (path: string, token: string) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ txid: paid.txid, txStatus: 'MINED', merklePath: '00' }),
      })
    const wrong = await post(`/proofs/${paid.id}`, 'nope')
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toMatchObject({ reason: 'PL6001' })
    expect((await post('/proofs/UnknownPayment123', 'nope')).status).toBe(404)
    expect((await post('/elsewhere', 'nope')).status).toBe(404)
  })

  it('with the right token, a proof of another transaction or one not verifying is refused', async () => {
    const [newer, older] = (await wallet.history()).filter((p) => p.proof !== null)
    const row = await wallet.store.db
      .selectFrom('wallet_payments')
      .select('callback_token')
      .where('id', '=', newer!.id)
      .executeTakeFirstOrThrow()
    const olderProof = (await wallet.proofs()).find((p) => p.txid === older!.txid)!
    const post = (body: unknown) =>
      fetch(`${server.url}/proofs/${newer!.id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${row.callback_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const other = await post({ txid: older!.txid, txStatus: 'MINED', merklePath: olderProof.merklePath })
    expect(other.status).toBe(400)
    expect(await other.json()).toMatchObject({ reason: 'PL6003' })
    // The older transaction's path does not lead from the newer txid to any block's root.
    const wrong = await post({ txid: newer!.txid, txStatus: 'MINED', merklePath: olderProof.merklePath })
    expect(wrong.status).toBe(400)
    expect(await wrong.json()).toMatchObject({ reason: 'PL6004' })
    const before = (await wallet.proofs()).find((p) => p.txid === newer!.txid)
    expect(before?.source).toBe('callback')
  })
})
