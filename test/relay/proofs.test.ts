import { MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.ts'
import {
  Client,
  createChannel,
  customerUrl,
  MERCHANT_KEY,
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

  it('a customer rejoining a closed channel long after the merchant left still gets its proof', async () => {
    const clock = new ManualClock(Date.parse('2026-11-21T12:00:00Z'))
    const own = await startRelay({ clock })
    try {
      const c = await createChannel(own.base)
      const merchant = await Client.connect(merchantUrl(c))
      await merchant.nth(1)
      merchant.send({ type: 'payment.ack', correlationId: 'p', body: { tx_id: TXID, error: 0 } })
      const sink = `${own.base}/api/v1/proofs/${TXID}?i=${c.channelId}`
      const posted = await fetch(sink, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.proofToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(arcMined(TXID)),
      })
      expect(posted.status).toBe(201)
      const closed = await fetch(`${own.base}/api/v1/channels/${c.channelId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${MERCHANT_KEY}` },
      })
      expect(closed.status).toBe(204)
      await merchant.until(() => merchant.closed !== undefined)
      clock.advance(10 * 60_000)
      const customer = await Client.connect(customerUrl(c))
      // Its queue: the ACK it missed, the proof, then the end of the channel.
      expect(await customer.nth(2)).toMatchObject({ type: 'payment.ack' })
      expect(await customer.nth(3)).toMatchObject({ type: 'proof.create', correlationId: TXID })
      expect(await customer.nth(4)).toMatchObject({ type: 'channel.expired' })
      await customer.until(() => customer.closed !== undefined)
    } finally {
      await own.close()
    }
  })
})
