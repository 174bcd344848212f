/** How the wallet reads each answer to a Payment (§4 POST outcomes), against a canned server. */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendPayment } from '../../src/wallet/send-payment.ts'

const TXID = 'ab'.repeat(32)
let next: { status: number; body: string } = { status: 201, body: '{}' }
let server: Server
let url: string

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  url = `http://127.0.0.1:${port}/api/v1/payment/x`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

async function answer(status: number, body: unknown) {
  next = { status, body: typeof body === 'string' ? body : JSON.stringify(body) }
  return sendPayment(url, { body: '{}', contentType: 'application/json' }, TXID, {})
}

const ack = (error: number, extra: object = {}) => ({
  id: 'x',
  tx_id: TXID,
  memo: 'm',
  peer_channel: null,
  error,
  ...extra,
})

describe('reading the answer to a Payment', () => {
  it('201 with ACK error 0 is acked; a BIP270 echo ACK too', async () => {
    expect(await answer(201, ack(0))).toMatchObject({
      kind: 'acked',
      ack: { error: 0, txid: TXID, memo: 'm' },
    })
    expect(await answer(201, { payment: { transaction: 'aa' }, memo: '', error: 0 })).toMatchObject({
      kind: 'acked',
    })
  })

  it('422 with ACK error 1 is refused with the ACK reason', async () => {
    expect(await answer(422, ack(1, { reason: 'PL2011', memo: 'double spend' }))).toMatchObject({
      kind: 'refused',
      reason: 'PL2011',
      memo: 'double spend',
    })
  })

  it('a 4xx ClientError or validation body is refused with its reason', async () => {
    const conflict = { id: 'u', code: 'D001', title: 't', message: 'paid by another', reason: 'PL2007' }
    expect(await answer(409, conflict)).toMatchObject({ kind: 'refused', reason: 'PL2007' })
    expect(await answer(400, { errors: { fees: ['not enough fees paid'] }, reason: 'PL2003' })).toMatchObject(
      {
        kind: 'refused',
        reason: 'PL2003',
      },
    )
  })

  it('5xx, 429, an unreadable 201, an ACK for another transaction, or no server: undecided', async () => {
    expect((await answer(503, { code: 'PL4001', reason: 'PL4001' })).kind).toBe('undecided')
    expect((await answer(429, {})).kind).toBe('undecided')
    expect((await answer(201, 'not json')).kind).toBe('undecided')
    expect((await answer(201, ack(0, { tx_id: 'cd'.repeat(32) }))).kind).toBe('undecided')
    const down = await sendPayment(
      'http://127.0.0.1:9/x',
      { body: '{}', contentType: 'application/json' },
      TXID,
      {},
    )
    expect(down.kind).toBe('undecided')
  })
})
