import { afterEach, describe, expect, it } from 'vitest'
import { AmikoError } from '../protocol/errors.ts'
import { type AdminNode, buildAdminApp } from './admin-server.ts'

const TOKEN = 'a'.repeat(64)
const auth = { authorization: `Bearer ${TOKEN}` }

/** A node that records its calls and answers fixed values. */
function fakeNode(overrides: Partial<AdminNode> = {}): AdminNode & { calls: unknown[][] } {
  const calls: unknown[][] = []
  const node: AdminNode = {
    makeLink: async (...a) => {
      calls.push(['makeLink', ...a])
      return { url: `amikolink://127.0.0.1/${a[0]}` }
    },
    deposit: async (...a) => {
      calls.push(['deposit', ...a])
      return { channelIndex: 0 }
    },
    makeMeetingPoint: async (...a) => void calls.push(['makeMeetingPoint', ...a]),
    request: async (amount, receipt) => ({
      paymentId: 'p',
      url: 'amikopay://h/p',
      transactionId: 't',
      amount,
      receipt,
    }),
    pay: async () => {
      throw new AmikoError('AMIKO_RECEIPT_TIMEOUT')
    },
    confirm: async (...a) => {
      calls.push(['confirm', ...a])
      return { state: 'committed', reason: null, token: 'k' }
    },
    list: () => {
      throw new Error('boom')
    },
    balance: () => ({ links: { bob: { local: 5, remote: 7 } }, total: 5 }),
    payments: async () => [],
    withdraw: async (...a) => void calls.push(['withdraw', ...a]),
    ...overrides,
  }
  return Object.assign(node, { calls })
}

const apps: ReturnType<typeof buildAdminApp>[] = []
function app(node: AdminNode) {
  const a = buildAdminApp(node, TOKEN)
  apps.push(a)
  return a
}
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
})

describe('node admin API', () => {
  it('refuses a request with no token or a wrong one with 401 PL1007', async () => {
    const a = app(fakeNode())
    for (const headers of [{}, { authorization: `Bearer ${'b'.repeat(64)}` }, { authorization: TOKEN }]) {
      const res = await a.inject({ method: 'GET', url: '/balance', headers })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ error: 'PL1007', message: 'missing or wrong admin token' })
    }
  })

  it('answers the balance and makes links with the bearer token', async () => {
    const node = fakeNode()
    const a = app(node)
    const balance = await a.inject({ method: 'GET', url: '/balance', headers: auth })
    expect(balance.json()).toEqual({ links: { bob: { local: 5, remote: 7 } }, total: 5 })
    const link = await a.inject({ method: 'POST', url: '/links', headers: auth, payload: { name: 'bob' } })
    expect(link.statusCode).toBe(201)
    expect(link.json()).toEqual({ url: 'amikolink://127.0.0.1/bob' })
    expect(node.calls).toEqual([['makeLink', 'bob', undefined]])
  })

  it('passes deposits, withdrawals and confirmations through, payer IDs with a slash included', async () => {
    const node = fakeNode()
    const a = app(node)
    const deposit = { amount: 1000, remoteAmount: 10 }
    await a.inject({ method: 'POST', url: '/links/bob/deposit', headers: auth, payload: deposit })
    await a.inject({ method: 'POST', url: '/links/bob/channels/2/withdraw', headers: auth })
    const confirm = await a.inject({
      method: 'POST',
      url: `/payments/${encodeURIComponent('__payer__/3')}/confirm`,
      headers: auth,
      payload: { agree: true },
    })
    expect(confirm.json()).toEqual({ state: 'committed', reason: null, token: 'k' })
    expect(node.calls).toEqual([
      ['deposit', 'bob', 1000, 10],
      ['withdraw', 'bob', 2],
      ['confirm', '__payer__/3', true],
    ])
  })

  it('answers bad input with 400 PL1004 and calls nothing', async () => {
    const node = fakeNode()
    const a = app(node)
    const bad = await a.inject({
      method: 'POST',
      url: '/requests',
      headers: auth,
      payload: { amount: 0, receipt: 'x' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error).toBe('PL1004')
    const notJson = await a.inject({
      method: 'POST',
      url: '/links',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{',
    })
    expect(notJson.statusCode).toBe(400)
    expect(node.calls).toEqual([])
  })

  it('answers an Amiko error with 4xx and its code, anything else with 500 PL9001', async () => {
    const a = app(
      fakeNode({
        makeLink: async () => Promise.reject(new AmikoError('AMIKO_BAD_STATE', 'link bob exists')),
      }),
    )
    const exists = await a.inject({ method: 'POST', url: '/links', headers: auth, payload: { name: 'bob' } })
    expect(exists.statusCode).toBe(409)
    expect(exists.json()).toEqual({ error: 'AMIKO_BAD_STATE', message: 'link bob exists' })
    const timeout = await a.inject({
      method: 'POST',
      url: '/payments',
      headers: auth,
      payload: { url: 'amikopay://h/p' },
    })
    expect(timeout.statusCode).toBe(422)
    expect(timeout.json().error).toBe('AMIKO_RECEIPT_TIMEOUT')
    const defect = await a.inject({ method: 'GET', url: '/state', headers: auth })
    expect(defect.statusCode).toBe(500)
    expect(defect.json().error).toBe('PL9001')
  })

  it('answers an unknown route with 404 PL1008 (after the token check)', async () => {
    const a = app(fakeNode())
    const res = await a.inject({ method: 'GET', url: '/nope', headers: auth })
    expect(res.statusCode).toBe(404)
    expect(res.json().error).toBe('PL1008')
  })
})
