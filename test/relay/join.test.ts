import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Client,
  createChannel,
  customerUrl,
  MERCHANT_KEY,
  merchantUrl,
  type RunningRelay,
  refusal,
  startRelay,
} from './relay-support.ts'

describe('joining a channel (§14.2): refusals before the upgrade', () => {
  let r: RunningRelay
  beforeAll(async () => {
    r = await startRelay()
  })
  afterAll(() => r.close())

  it('unknown channel → 404 N00001/PL5001', async () => {
    const res = await refusal(`ws://127.0.0.1:${r.port}/ws/NoSuchChannel1234?token=x`)
    expect(res.status).toBe(404)
    expect(res.body).toMatchObject({ code: 'N00001', reason: 'PL5001' })
  })

  it('missing token → 401 PL5003; wrong token or role → 403 PL5004', async () => {
    const c = await createChannel(r.base)
    expect((await refusal(`${c.wsUrl}?internal=true`)).body).toMatchObject({ reason: 'PL5003' })
    const wrong = await refusal(`${c.wsUrl}?internal=true&token=${c.customerToken}`)
    expect(wrong.status).toBe(403)
    expect(wrong.body).toMatchObject({ reason: 'PL5004' })
    expect((await refusal(`${c.wsUrl}?token=${c.merchantToken}`)).status).toBe(403)
  })

  it('customer with no merchant connected → 404 N00001/PL5002', async () => {
    const c = await createChannel(r.base)
    const res = await refusal(customerUrl(c))
    expect(res.status).toBe(404)
    expect(res.body).toMatchObject({ code: 'N00001', reason: 'PL5002' })
  })

  it('closed channel → 410 PL5005', async () => {
    const c = await createChannel(r.base)
    await fetch(`${r.base}/api/v1/channels/${c.channelId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${MERCHANT_KEY}` },
    })
    const res = await refusal(merchantUrl(c))
    expect(res.status).toBe(410)
    expect(res.body).toMatchObject({ reason: 'PL5005' })
  })

  it('join.success carries X-Channel-Expires; the customer may join while the merchant is on', async () => {
    const c = await createChannel(r.base)
    const merchant = await Client.connect(merchantUrl(c))
    const joined = await merchant.nth(1)
    expect(joined).toMatchObject({ type: 'join.success', channelId: c.channelId, body: null })
    expect(joined['headers']).toEqual({ 'X-Channel-Expires': [c.expiresAt] })
    const customer = await Client.connect(customerUrl(c))
    expect((await customer.nth(1))['type']).toBe('join.success')
    expect(customer.messages[0]!['clientID']).not.toBe(joined['clientID'])
    merchant.close()
    customer.close()
  })

  it('a second merchant join replaces the first (close 4000)', async () => {
    const c = await createChannel(r.base)
    const first = await Client.connect(merchantUrl(c))
    await first.nth(1)
    const second = await Client.connect(merchantUrl(c))
    await second.nth(1)
    await first.until(() => first.closed !== undefined)
    expect(first.closed?.code).toBe(4000)
    second.close()
  })
})
