import { MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Client,
  createChannel,
  customerUrl,
  merchantUrl,
  type RunningRelay,
  startRelay,
} from './relay-support.ts'

const TXID = 'ab'.repeat(32)
const OTHER = 'cd'.repeat(32)
const BLOCK = 'ef'.repeat(32)

function arcMined(txid: string) {
  const path = new MerklePath(100, [
    [
      { offset: 0, hash: txid, txid: true },
      { offset: 1, hash: OTHER },
    ],
  ])
  return { txid, txStatus: 'MINED', merklePath: path.toHex(), blockHash: BLOCK, blockHeight: 100 }
}

describe('relay proof sink (§13)', () => {
  let r: RunningRelay
  beforeAll(async () => {
    r = await startRelay()
  })
  afterAll(() => r.close())

  const post = (channelId: string, txid: string, token: string, body: unknown) =>
    fetch(`${r.base}/api/v1/proofs/${txid}?i=${channelId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('needs the proof token (401 PL6001) and drops status-only callbacks with 201', async () => {
    const c = await createChannel(r.base)
    const wrong = await post(c.channelId, TXID, c.customerToken, arcMined(TXID))
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toMatchObject({ reason: 'PL6001' })
    expect(
      (await post(c.channelId, TXID, c.proofToken, { txid: TXID, txStatus: 'SEEN_ON_NETWORK' })).status,
    ).toBe(201)
  })

  it('relays a proof as proof.create to both roles, queued for the absent one', async () => {
    const c = await createChannel(r.base)
    const merchant = await Client.connect(merchantUrl(c))
    await merchant.nth(1)
    const customer = await Client.connect(customerUrl(c))
    await customer.nth(1)
    merchant.send({ type: 'payment.ack', correlationId: 'p', body: { tx_id: TXID, error: 0 } })
    await customer.nth(2)
    customer.close()
    await customer.until(() => customer.closed !== undefined)
    const other = await post(c.channelId, OTHER, c.proofToken, arcMined(OTHER))
    expect(other.status).toBe(400)
    expect(await other.json()).toMatchObject({ reason: 'PL6003' })
    expect((await post(c.channelId, TXID, c.proofToken, arcMined(TXID))).status).toBe(201)
    const proof = await merchant.nth(2)
    expect(proof).toMatchObject({ type: 'proof.create', correlationId: TXID, headers: { 'X-Tx-Id': [TXID] } })
    const body = proof['body'] as { payload: string; signature: null; mimetype: string }
    expect(body).toMatchObject({
      signature: null,
      publicKey: null,
      encoding: 'UTF-8',
      mimetype: 'application/json',
    })
    expect(JSON.parse(body.payload)).toMatchObject({
      callbackTxId: TXID,
      callbackReason: 'merkleProof',
      blockHeight: 100,
    })
    const back = await Client.connect(customerUrl(c))
    expect(await back.nth(2)).toMatchObject({ type: 'proof.create', correlationId: TXID })
    back.close()
    merchant.close()
  })
})
