import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Client,
  createChannel,
  customerUrl,
  merchantUrl,
  type RunningRelay,
  startRelay,
} from './relay-support.ts'

const KEYS = [
  'appId',
  'body',
  'channelId',
  'clientID',
  'correlationId',
  'expiration',
  'headers',
  'messageId',
  'timestamp',
  'type',
  'userId',
]

async function pair(r: RunningRelay) {
  const c = await createChannel(r.base)
  const merchant = await Client.connect(merchantUrl(c))
  await merchant.nth(1)
  const customer = await Client.connect(customerUrl(c))
  await customer.nth(1)
  return { c, merchant, customer }
}

describe('model 3 forwarding (§14.3, §14.4)', () => {
  let r: RunningRelay
  beforeAll(async () => {
    r = await startRelay({ maxPayload: 64 * 1024 })
  })
  afterAll(() => r.close())

  it('forwards every allowed type to the other role with all eleven keys, never back to the sender', async () => {
    const { c, merchant, customer } = await pair(r)
    customer.send({
      type: 'paymentrequest.create',
      correlationId: 'c1',
      headers: { accept: ['application/json'] },
    })
    customer.send({ type: 'payment', correlationId: 'c2', body: { rawTx: '00' } })
    for (const type of ['paymentrequest.response', 'paymentrequest.error', 'payment.ack', 'payment.error']) {
      merchant.send({ type, correlationId: 'c1', body: { memo: 'x', error: 1 } })
    }
    await merchant.until(() => merchant.messages.length >= 3)
    await customer.until(() => customer.messages.length >= 5)
    const relayed = [...merchant.messages, ...customer.messages]
    for (const m of relayed) expect(Object.keys(m).sort()).toEqual(KEYS)
    for (const m of relayed) expect(m['channelId']).toBe(c.channelId)
    expect(merchant.messages.slice(1).map((m) => m['type'])).toEqual(['paymentrequest.create', 'payment'])
    expect(merchant.messages[1]!['headers']).toEqual({ Accept: ['application/json'] })
    expect(merchant.messages[1]!['clientID']).toBe(customer.messages[0]!['clientID'])
    expect(customer.messages.slice(1).map((m) => m['type'])).toEqual([
      'paymentrequest.response',
      'paymentrequest.error',
      'payment.ack',
      'payment.error',
    ])
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(merchant.messages).toHaveLength(3)
    expect(customer.messages).toHaveLength(5)
  })

  it('echoes health to the sender only', async () => {
    const { merchant, customer } = await pair(r)
    customer.send({ type: 'health', body: { ping: 1 } })
    expect(await customer.nth(2)).toMatchObject({ type: 'health', body: { ping: 1 } })
    expect(Object.keys(await customer.nth(2)).sort()).toEqual(KEYS)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(merchant.messages).toHaveLength(1)
  })

  it('answers a forbidden type with error PL5009 and an unparsable frame with PL5008', async () => {
    const { merchant } = await pair(r)
    merchant.send({ type: 'payment', body: {} })
    const error = await merchant.nth(2)
    expect(error).toMatchObject({ type: 'error', originType: 'payment', errorBody: { ErrCode: 'PL5009' } })
    expect(Object.keys(error).sort()).toEqual([
      'appId',
      'channelId',
      'clientId',
      'correlationId',
      'errorBody',
      'headers',
      'originBody',
      'originType',
      'type',
      'userId',
    ])
    merchant.send('not json')
    expect(await merchant.nth(3)).toMatchObject({ type: 'error', errorBody: { ErrCode: 'PL5008' } })
  })

  it('closes an oversized frame with 1009 and a binary frame with 1003', async () => {
    const { merchant, customer } = await pair(r)
    customer.send({ type: 'payment', body: { rawTx: 'ab'.repeat(64 * 1024) } })
    await customer.until(() => customer.closed !== undefined)
    expect(customer.closed?.code).toBe(1009)
    merchant.socket.send(Buffer.from([1, 2, 3]))
    await merchant.until(() => merchant.closed !== undefined)
    expect(merchant.closed?.code).toBe(1003)
  })
  it('closes with 1008 on the eleventh invalid frame in a minute', async () => {
    const { customer } = await pair(r)
    for (let i = 0; i < 11; i++) customer.send('{"type": 5}')
    await customer.until(() => customer.closed !== undefined)
    expect(customer.closed?.code).toBe(1008)
    expect(customer.ofType('error')).toHaveLength(11)
  })

  it('refuses a message past the queue cap of an absent role with error PL1006', async () => {
    const { merchant, customer } = await pair(r)
    merchant.close()
    await merchant.until(() => merchant.closed !== undefined)
    for (let i = 0; i < 101; i++) customer.send({ type: 'paymentrequest.create', correlationId: `q${i}` })
    await customer.until(() => customer.ofType('error').length > 0)
    expect(customer.ofType('error')[0]).toMatchObject({
      errorBody: { ErrCode: 'PL1006' },
      correlationId: 'q100',
    })
  })
  it('drops a message whose messageId was delivered before', async () => {
    const { merchant, customer } = await pair(r)
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'
    customer.send({ type: 'payment', messageId: id, correlationId: 'a', body: { rawTx: '00' } })
    customer.send({ type: 'payment', messageId: id, correlationId: 'a', body: { rawTx: '00' } })
    customer.send({ type: 'paymentrequest.create', correlationId: 'b' })
    await merchant.nth(3)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(merchant.messages.map((m) => m['correlationId'])).toEqual(['', 'a', 'b'])
    expect(merchant.messages[1]!['messageId']).toBe(id)
  })
})
