import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, createChannel, merchantUrl, type RunningRelay, startRelay } from './relay-support.ts'

/** A merchant socket that answers bridged calls with `answer(message)`, or stays silent. */
async function merchantAnswering(
  url: string,
  answer: (m: Record<string, unknown>) => Record<string, unknown> | undefined,
): Promise<Client> {
  const merchant = await Client.connect(url)
  await merchant.nth(1)
  merchant.socket.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, unknown>
    const reply = m['type'] === 'join.success' ? undefined : answer(m)
    if (reply !== undefined) merchant.send({ correlationId: m['correlationId'], ...reply })
  })
  return merchant
}

describe('hybrid bridging (§14.6)', () => {
  let r: RunningRelay
  beforeAll(async () => {
    r = await startRelay({ bridgeTimeoutMs: 300 })
  })
  afterAll(() => r.close())

  it('GET becomes paymentrequest.create; the answer is 200 with paymentUrl at the relay', async () => {
    const c = await createChannel(r.base)
    const merchant = await merchantAnswering(merchantUrl(c), (m) => ({
      type: 'paymentrequest.response',
      body: { paymentUrl: 'http://merchant.internal/x', memo: 'hi', accept: m['headers'] },
    }))
    const res = await fetch(c.paymentUrl, { headers: { accept: 'application/json' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      paymentUrl: c.paymentUrl,
      memo: 'hi',
      accept: { Accept: ['application/json'] },
    })
    merchant.close()
  })

  it('POST becomes payment; ACK error 0 → 201, error 1 → 422; payment.error PL2003 → 400', async () => {
    const c = await createChannel(r.base)
    const merchant = await merchantAnswering(merchantUrl(c), (m) => {
      const body = m['body'] as { rawTx: string }
      if (body.rawTx === 'fee') return { type: 'payment.error', body: { code: 'PL2003', reason: 'PL2003' } }
      return { type: 'payment.ack', body: { tx_id: 'aa', error: body.rawTx === 'ok' ? 0 : 1 } }
    })
    const post = (rawTx: string) =>
      fetch(c.paymentUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rawTx }),
      })
    expect((await post('ok')).status).toBe(201)
    expect((await post('bad')).status).toBe(422)
    const fee = await post('fee')
    expect(fee.status).toBe(400)
    expect(await fee.json()).toMatchObject({ reason: 'PL2003' })
    merchant.close()
  })

  it('an unknown media type is 415 PL1002; an unusable reply is 502 PL5010', async () => {
    const c = await createChannel(r.base)
    const merchant = await merchantAnswering(merchantUrl(c), () => ({
      type: 'payment.ack',
      body: 'nonsense',
    }))
    const plain = await fetch(c.paymentUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    })
    expect(plain.status).toBe(415)
    const bad = await fetch(c.paymentUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(bad.status).toBe(502)
    expect(await bad.json()).toMatchObject({ reason: 'PL5010' })
    merchant.close()
  })

  it('no merchant → 404 PL5002 at once; a silent merchant → 504 PL5006', async () => {
    const c = await createChannel(r.base)
    const none = await fetch(c.paymentUrl)
    expect(none.status).toBe(404)
    expect(await none.json()).toMatchObject({ code: 'N00001', reason: 'PL5002' })
    const merchant = await merchantAnswering(merchantUrl(c), () => undefined)
    const started = Date.now()
    const silent = await fetch(c.paymentUrl)
    expect(silent.status).toBe(504)
    expect(await silent.json()).toMatchObject({ reason: 'PL5006' })
    expect(Date.now() - started).toBeLessThan(3000)
    merchant.close()
  })
})
