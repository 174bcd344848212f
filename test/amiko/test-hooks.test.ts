/**
 * The test hooks of a node process (docs/operations.md, `paylink node`): `GET /test/snapshot` is
 * routed only with PAYLINK_AMIKO_TEST_HOOKS=1 and never carries the private key; faults come from
 * PAYLINK_AMIKO_FAULTS only with the hooks variable, validated.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildAdminApp } from '../../src/amiko/admin/admin-server.ts'
import { faultsFromEnv } from '../../src/cli/commands/node-start.ts'
import { startNode, type TestNode } from './support.ts'

const TOKEN = 'c'.repeat(64)
const auth = { authorization: `Bearer ${TOKEN}` }
let node: TestNode
const hooks = process.env['PAYLINK_AMIKO_TEST_HOOKS']

beforeAll(async () => {
  node = await startNode({ name: 'hooked', meetingPoints: ['MP'] })
})
afterAll(() => node.close())
afterEach(() => {
  if (hooks === undefined) delete process.env['PAYLINK_AMIKO_TEST_HOOKS']
  else process.env['PAYLINK_AMIKO_TEST_HOOKS'] = hooks
})

describe('GET /test/snapshot', () => {
  it('is not routed without PAYLINK_AMIKO_TEST_HOOKS=1', async () => {
    delete process.env['PAYLINK_AMIKO_TEST_HOOKS']
    const app = buildAdminApp(node.node, TOKEN)
    const res = await app.inject({ method: 'GET', url: '/test/snapshot', headers: auth })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ error: 'PL1008' })
    await app.close()
  })

  it('with the hooks, answers the state (tokens, no private key) and the log, behind the token', async () => {
    process.env['PAYLINK_AMIKO_TEST_HOOKS'] = '1'
    const request = await node.node.request(10, 'snap')
    const app = buildAdminApp(node.node, TOKEN)
    expect((await app.inject({ method: 'GET', url: '/test/snapshot' })).statusCode).toBe(401)
    const res = await app.inject({ method: 'GET', url: '/test/snapshot', headers: auth })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.nodeKey).toBe(node.node.nodeKey)
    expect(body.state.privateKey).toBe('')
    expect(res.body).not.toContain(node.node.snapshot().privateKey)
    expect(body.state.payees[request.paymentId].token).toMatch(/^[0-9a-f]+$/)
    expect(body.log).toEqual([])
    await app.close()
  })
})

describe('PAYLINK_AMIKO_FAULTS', () => {
  it('is read only with PAYLINK_AMIKO_TEST_HOOKS=1, and refused without it', () => {
    const faults = '{"drop":["MakeRoute"],"delay":{"Lock":3000},"noLock":true}'
    expect(faultsFromEnv({ PAYLINK_AMIKO_TEST_HOOKS: '1', PAYLINK_AMIKO_FAULTS: faults })).toEqual({
      drop: ['MakeRoute'],
      delay: { Lock: 3000 },
      noLock: true,
    })
    expect(faultsFromEnv({ PAYLINK_AMIKO_TEST_HOOKS: '1' })).toBeUndefined()
    expect(faultsFromEnv({})).toBeUndefined()
    expect(() => faultsFromEnv({ PAYLINK_AMIKO_FAULTS: faults })).toThrow(
      expect.objectContaining({ code: 'PL8001' }),
    )
  })

  it('refuses what is not JSON of the Faults shape, naming the field', () => {
    const env = (raw: string) => ({ PAYLINK_AMIKO_TEST_HOOKS: '1', PAYLINK_AMIKO_FAULTS: raw })
    expect(() => faultsFromEnv(env('{drop'))).toThrow(/not JSON/)
    expect(() => faultsFromEnv(env('{"drop":"MakeRoute"}'))).toThrow(/drop/)
    expect(() => faultsFromEnv(env('{"delay":{"Lock":-1}}'))).toThrow(/delay\.Lock/)
    expect(() => faultsFromEnv(env('{"dorp":["Lock"]}'))).toThrow(/dorp|Unrecognized/i)
  })
})
