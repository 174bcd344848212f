/**
 * The Block Headers Service client (protocols-p4.md §9 "Headers") against the devnet's headers
 * API, and against a closed port, a failing and a silent server: a failure to ask is never a
 * verdict on a root.
 */
import { randomBytes } from 'node:crypto'
import { Beef } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HeadersClient } from '../../src/chain/headers-client.ts'
import { isPaylinkError } from '../../src/core/errors.ts'
import { fundedKey, type RunningDevnet, startDevnet } from '../support/devnet.ts'
import { type CannedServer, closedPortUrl, startCannedServer } from './canned-server.ts'

let net: RunningDevnet
let headers: HeadersClient

beforeAll(async () => {
  net = await startDevnet()
  headers = new HeadersClient(net.urls.headers)
})
afterAll(() => net.close())

const randomHash = () => randomBytes(32).toString('hex')

describe('HeadersClient against the devnet', () => {
  it('confirms the root of a block at its height, calls a wrong root INVALID, cannot verify above the tip', async () => {
    const tip = net.devnet.ledger.tip
    const root = tip.header.merkleRoot
    expect(await headers.verifyRoots([{ blockHeight: tip.height, merkleRoot: root }])).toBe('CONFIRMED')
    expect(await headers.verifyRoots([{ blockHeight: tip.height, merkleRoot: randomHash() }])).toBe('INVALID')
    expect(await headers.verifyRoots([{ blockHeight: tip.height + 5, merkleRoot: root }])).toBe(
      'UNABLE_TO_VERIFY',
    )
  })

  it('gives the tip height and the state of a header; an unknown header is undefined', async () => {
    const tip = net.devnet.ledger.tip
    expect(await headers.currentHeight()).toBe(tip.height)
    expect(await headers.headerState(tip.hash)).toEqual({
      hash: tip.hash,
      state: 'LONGEST_CHAIN',
      height: tip.height,
      merkleRoot: tip.header.merkleRoot,
    })
    expect(await headers.headerState(randomHash())).toBeUndefined()
    expect(await headers.headerState('not a hash')).toBeUndefined()
  })

  it("is a ChainTracker: a faucet BEEF passes @bsv/sdk's Beef.verify with it", async () => {
    const { beef } = await fundedKey(net.urls, 10_000)
    expect(await Beef.fromString(beef, 'hex').verify(headers, false)).toBe(true)
    const tip = net.devnet.ledger.tip
    expect(await headers.isValidRootForHeight(randomHash(), tip.height)).toBe(false)
  })
})

describe('HeadersClient when the service fails', () => {
  let failing: CannedServer
  let silent: CannedServer
  beforeAll(async () => {
    failing = await startCannedServer(() => ({ status: 500, body: { error: 'down' } }))
    silent = await startCannedServer(() => 'hang')
  })
  afterAll(async () => {
    await failing.close()
    await silent.close()
  })

  const item = [{ blockHeight: 1, merkleRoot: 'ab'.repeat(32) }]

  async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
    try {
      await p
    } catch (err) {
      return isPaylinkError(err) ? err.code : String(err)
    }
    return undefined
  }

  it('a closed port is UNABLE_TO_VERIFY, and PL3005 for the height and header state', async () => {
    const down = new HeadersClient(await closedPortUrl())
    expect(await down.verifyRoots(item)).toBe('UNABLE_TO_VERIFY')
    expect(await codeOf(down.currentHeight())).toBe('PL3005')
    expect(await codeOf(down.headerState(randomHash()))).toBe('PL3005')
    expect(await codeOf(down.isValidRootForHeight('ab'.repeat(32), 1))).toBe('PL3005')
  })

  it('a 5xx is UNABLE_TO_VERIFY; the bearer key is sent', async () => {
    const client = new HeadersClient(failing.url, { apiKey: 'secret-key' })
    expect(await client.verifyRoots(item)).toBe('UNABLE_TO_VERIFY')
    expect(await codeOf(client.currentHeight())).toBe('PL3005')
    expect(failing.requests.at(-1)?.headers.authorization).toBe('Bearer secret-key')
    expect(failing.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/chain/merkleroot/verify' })
    expect(JSON.parse(failing.requests[0]!.body)).toEqual(item)
  })

  it('no answer within the time-out is UNABLE_TO_VERIFY', async () => {
    const started = Date.now()
    const client = new HeadersClient(silent.url, { timeoutMs: 200 })
    expect(await client.verifyRoots(item)).toBe('UNABLE_TO_VERIFY')
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
