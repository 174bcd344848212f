/**
 * Merkle proofs to both parties (PROTOCOLS.md P4 §13) over loopback: the devnet calls the
 * merchant's proof sink when it mines, the merchant verifies and stores the proof and forwards a
 * ProofEnvelope to the Payment's `proofCallbacks`; the sink refuses what it must.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BlockHeadersService, MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { until } from '../support/callback-receiver.ts'
import { type RunningDevnet, startDevnet } from '../support/devnet.ts'
import { customer, type RunningShop, startShop } from '../support/merchant.ts'
import {
  buildTx,
  fetchTerms,
  invoiceOf,
  type Json,
  newInvoice,
  p4Payment,
  paymentRows,
  post,
} from '../support/p4-payments.ts'

/** A proof-callback receiver: records each POST; answers 503 to the first `refuse` of them. */
interface Receiver {
  url: string
  refuse: number
  received: { headers: IncomingHttpHeaders; body: Json; status: number }[]
  close(): Promise<void>
}

async function startReceiver(refuse = 0): Promise<Receiver> {
  const server: Server = createServer()
  const receiver: Receiver = {
    url: '',
    refuse,
    received: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  server.on('request', (req, res) => {
    let text = ''
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString()
    })
    req.on('end', () => {
      const status = receiver.received.length < receiver.refuse ? 503 : 200
      receiver.received.push({ headers: req.headers, body: JSON.parse(text) as Json, status })
      res.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`
  return receiver
}

let net: RunningDevnet
let shop: RunningShop
let receiver: Receiver

beforeAll(async () => {
  net = await startDevnet()
  shop = await startShop({ net, proofDelivery: { retryBaseMs: 50, pollMs: 25 } })
  receiver = await startReceiver()
})
afterAll(async () => {
  await shop.close()
  await net.close()
  await receiver.close()
})

/** Pays a new invoice with `proofCallbacks`; answers its id and the transaction. */
async function pay(proofCallbacks?: Json) {
  const { id, url } = await newInvoice(shop)
  const terms = await fetchTerms(url)
  const tx = await buildTx(await customer(shop), terms.outputs)
  const answer = await post(url, { ...p4Payment(terms, tx), ...(proofCallbacks ? { proofCallbacks } : {}) })
  expect(answer.status).toBe(201)
  return { id, txid: tx.id('hex') }
}

async function mine() {
  const res = await post(`${net.urls.base}/devnet/mine`, { blocks: 1 })
  expect(res.status).toBe(200)
  return res.json as { height: number; hash: string }
}

async function minedProof(id: string) {
  await until(async () => ((await invoiceOf(shop, id))['payment'] as Json)['state'] === 'mined')
  return ((await invoiceOf(shop, id))['payment'] as Json)['proof'] as {
    blockHash: string
    blockHeight: number
    merklePath: string
  }
}

function sink(txid: string, i: string) {
  return `${shop.base}/api/v1/proofs/${txid}?i=${i}`
}

async function toSink(url: string, body: unknown, authorization?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, text, json: (text === '' ? {} : JSON.parse(text)) as Json }
}

describe('the proof after one block', () => {
  it('the devnet calls the merchant’s sink; the payment is mined with a proof that verifies', async () => {
    const { id, txid } = await pay()
    const block = await mine()
    const proof = await minedProof(id)
    expect(proof).toMatchObject({ blockHash: block.hash, blockHeight: block.height })
    const path = MerklePath.fromHex(proof.merklePath)
    expect(path.blockHeight).toBe(block.height)
    expect(await path.verify(txid, new BlockHeadersService(net.urls.headers))).toBe(true)
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid', payment: { txid, state: 'mined' } })
  })

  it('the Payment’s proofCallbacks get the ProofEnvelope with Authorization: Bearer t, and it verifies', async () => {
    const { id, txid } = await pay({ [receiver.url]: { token: 't' } })
    const before = receiver.received.length
    const block = await mine()
    await until(() => receiver.received.length > before)
    const delivery = receiver.received[before]!
    expect(delivery.headers['authorization']).toBe('Bearer t')
    expect(delivery.headers['content-type']).toMatch(/^application\/json/)
    expect(delivery.body).toMatchObject({
      signature: null,
      publicKey: null,
      encoding: 'UTF-8',
      mimetype: 'application/json',
    })
    const payload = JSON.parse(delivery.body['payload'] as string) as Json
    expect(payload).toMatchObject({
      callbackTxId: txid,
      callbackReason: 'merkleProof',
      blockHash: block.hash,
      blockHeight: block.height,
      callbackPayload: { txOrId: txid, targetType: 'hash', target: block.hash },
    })
    const path = MerklePath.fromHex(payload['merklePath'] as string)
    expect(await path.verify(txid, new BlockHeadersService(net.urls.headers))).toBe(true)
    expect((await minedProof(id)).merklePath).toBe(payload['merklePath'])
  })

  it('a callback URL that refuses at first gets the envelope on a later attempt', async () => {
    const flaky = await startReceiver(2)
    try {
      const { id } = await pay({ [flaky.url]: { token: 'flaky-token' } })
      await mine()
      const rows = () =>
        shop.store.db
          .selectFrom('merchant_proof_deliveries')
          .selectAll()
          .where('url', '=', flaky.url)
          .execute()
      // The receiver's 200 comes before the queue records it: wait for the row, not the request.
      await until(async () => (await rows())[0]?.state === 'delivered')
      expect(flaky.received.map((r) => r.status)).toEqual([503, 503, 200])
      expect(await rows()).toMatchObject([{ state: 'delivered', attempts: 3 }])
      expect((await invoiceOf(shop, id))['payment']).toMatchObject({ state: 'mined' })
    } finally {
      await flaky.close()
    }
  })
})

describe('the proof sink', () => {
  /** A mined payment with proofCallbacks, its callback token and an ARC callback carrying its proof. */
  async function minedPayment() {
    const { id, txid } = await pay({ [receiver.url]: { token: 't' } })
    const before = receiver.received.length
    const block = await mine()
    const proof = await minedProof(id)
    await until(() => receiver.received.length > before)
    const [row] = await paymentRows(shop, id)
    const callback = {
      timestamp: new Date().toISOString(),
      txid,
      txStatus: 'MINED',
      blockHash: block.hash,
      blockHeight: block.height,
      merklePath: proof.merklePath,
    }
    return { id, txid, token: row!.callback_token, callback, proof, deliveredBefore: before + 1 }
  }

  it('refuses a missing or wrong token: 401 PL6001', async () => {
    const { id, txid, token, callback } = await minedPayment()
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${token}`, token]) {
      const res = await toSink(sink(txid, id), callback, authorization)
      expect(res.status, authorization).toBe(401)
      expect(res.json, authorization).toMatchObject({ reason: 'PL6001' })
    }
  })

  it('refuses a proof for another transaction: 400 PL6003', async () => {
    const { id, txid, token, proof } = await minedPayment()
    const other = await minedPayment()
    const res = await toSink(sink(txid, id), other.callback, `Bearer ${token}`)
    expect(res.status).toBe(400)
    expect(res.json).toMatchObject({ reason: 'PL6003' })
    expect(((await invoiceOf(shop, id))['payment'] as Json)['proof']).toEqual(proof)
  })

  it('refuses a tampered merkle path: 400 PL6004, and keeps the stored proof', async () => {
    const { id, txid, token, callback, proof } = await minedPayment()
    const path = MerklePath.fromHex(proof.merklePath)
    const sibling = path.path[0]!.find((leaf) => leaf.txid !== true && leaf.hash !== undefined)!
    sibling.hash = 'ab'.repeat(32)
    const res = await toSink(sink(txid, id), { ...callback, merklePath: path.toHex() }, `Bearer ${token}`)
    expect(res.status).toBe(400)
    expect(res.json).toMatchObject({ reason: 'PL6004' })
    expect(((await invoiceOf(shop, id))['payment'] as Json)['proof']).toEqual(proof)
  })

  it('refuses a body of an unknown shape: 400 PL6002', async () => {
    const { id, txid, token } = await minedPayment()
    for (const body of [{ hello: 'world' }, [1, 2], { txid, merkle: 'no status' }]) {
      const res = await toSink(sink(txid, id), body, `Bearer ${token}`)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json, JSON.stringify(body)).toMatchObject({ reason: 'PL6002' })
    }
  })

  it('answers an unknown invoice 404 N00001', async () => {
    const { txid, token, callback } = await minedPayment()
    const res = await toSink(sink(txid, 'NoSuchInvoice0000000000'), callback, `Bearer ${token}`)
    expect(res.status).toBe(404)
    expect(res.json).toMatchObject({ code: 'N00001' })
  })

  it('tolerates a trailing /{callbackReason} segment, also when appended after the query', async () => {
    const { id, txid, token, callback } = await minedPayment()
    for (const url of [
      `${shop.base}/api/v1/proofs/${txid}/merkleProof?i=${id}`,
      `${shop.base}/api/v1/proofs/${txid}?i=${id}/merkleProof`,
    ]) {
      const res = await toSink(url, callback, `Bearer ${token}`)
      expect(res.status, url).toBe(201)
    }
  })

  it('takes a status-only callback with 201 and changes nothing', async () => {
    const { id, txid } = await pay()
    const [row] = await paymentRows(shop, id)
    const seen = { timestamp: new Date().toISOString(), txid, txStatus: 'SEEN_ON_NETWORK' }
    const res = await toSink(sink(txid, id), seen, `Bearer ${row!.callback_token}`)
    expect(res.status).toBe(201)
    expect(await invoiceOf(shop, id)).toMatchObject({
      state: 'paid',
      payment: { state: 'broadcast', proof: null },
    })
  })

  it('a late REJECTED callback fails the payment; the invoice stays paid', async () => {
    const { id, txid } = await pay()
    const [row] = await paymentRows(shop, id)
    const rejected = { timestamp: new Date().toISOString(), txid, txStatus: 'REJECTED', extraInfo: 'evicted' }
    const res = await toSink(sink(txid, id), rejected, `Bearer ${row!.callback_token}`)
    expect(res.status).toBe(201)
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid', payment: { txid, state: 'rejected' } })
  })

  it('takes the same proof twice with 201 and an empty body, and delivers it once', async () => {
    const { id, txid, token, callback, deliveredBefore } = await minedPayment()
    for (let i = 0; i < 2; i++) {
      const res = await toSink(sink(txid, id), callback, `Bearer ${token}`)
      expect(res.status).toBe(201)
      expect(res.text).toBe('')
    }
    // Give the delivery loop (polling every 25 ms) ample time to send a second copy, if it would.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const [row] = await paymentRows(shop, id)
    const deliveries = await shop.store.db
      .selectFrom('merchant_proof_deliveries')
      .selectAll()
      .where('payment_id', '=', row!.id)
      .execute()
    expect(deliveries).toMatchObject([{ state: 'delivered', attempts: 1 }])
    const forThisTx = receiver.received.filter((r) => (r.body['payload'] as string).includes(txid))
    expect(forThisTx).toHaveLength(1)
    expect(receiver.received).toHaveLength(deliveredBefore)
  })
})
