/**
 * The ARC client against canned answers the devnet never gives (protocols-p4.md §12.1): exactly
 * the §12.1 headers; REJECTED with 200; QUEUED polled until decided or given up as `PL4002`;
 * 401 → `PL4003`; 5xx, 409, no answer, nothing listening → `PL4001`; another txid → undecided.
 */
import { LockingScript, Transaction, UnlockingScript } from '@bsv/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { ArcClient } from '../../src/chain/arc-client.ts'
import { isPaylinkError } from '../../src/core/errors.ts'
import {
  type CannedAnswer,
  type CannedRequest,
  type CannedServer,
  closedPortUrl,
  startCannedServer,
} from './canned-server.ts'

const tx = new Transaction(
  1,
  [
    {
      sourceTXID: 'ab'.repeat(32),
      sourceOutputIndex: 0,
      unlockingScript: UnlockingScript.fromHex('51'),
      sequence: 0,
    },
  ],
  [{ satoshis: 1000, lockingScript: LockingScript.fromHex('51') }],
  0,
)
const TXID = tx.id('hex')
const status = (txStatus: string, extra: Record<string, unknown> = {}) => ({
  status: 200,
  body: { txid: TXID, txStatus, extraInfo: '', ...extra },
})

let server: CannedServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A client of a canned ARC with a fast poll: every 20 ms for 200 ms. */
async function arcAnswering(answer: (req: CannedRequest) => CannedAnswer, timeoutMs = 2000) {
  server = await startCannedServer(answer)
  return new ArcClient(server.url, { apiKey: 'arc-key', timeoutMs, pollIntervalMs: 20, pollDurationMs: 200 })
}

describe('ArcClient requests', () => {
  it('sends {rawTx} with exactly the headers of §12.1', async () => {
    const arc = await arcAnswering(() => status('SEEN_ON_NETWORK'))
    await arc.broadcast(tx.toHex(), {
      callbackUrl: 'https://merchant.example/api/v1/proofs/x?i=p',
      callbackToken: 'tok',
    })
    const req = server!.requests[0]!
    expect(req).toMatchObject({ method: 'POST', path: '/v1/tx' })
    expect(JSON.parse(req.body)).toEqual({ rawTx: tx.toHex() })
    expect(req.headers).toMatchObject({
      'x-callbackurl': 'https://merchant.example/api/v1/proofs/x?i=p',
      'x-callbacktoken': 'tok',
      'x-waitfor': 'SEEN_ON_NETWORK',
      'x-maxtimeout': '10',
      'content-type': 'application/json',
      authorization: 'Bearer arc-key',
    })
    const xHeaders = Object.keys(req.headers).filter((h) => h.startsWith('x-'))
    expect(xHeaders.sort()).toEqual(['x-callbacktoken', 'x-callbackurl', 'x-maxtimeout', 'x-waitfor'])
  })

  it('without a callback sends no callback headers, and without a key no Authorization', async () => {
    server = await startCannedServer(() => status('SEEN_ON_NETWORK'))
    await new ArcClient(server.url).broadcast(tx.toHex())
    const headers = server.requests[0]!.headers
    expect(headers['x-callbackurl']).toBeUndefined()
    expect(headers['x-callbacktoken']).toBeUndefined()
    expect(headers.authorization).toBeUndefined()
  })
})

describe('ArcClient classification of canned answers', () => {
  it('REJECTED with 200 is rejected PL2010 with extraInfo as memo', async () => {
    const arc = await arcAnswering(() => status('REJECTED', { extraInfo: 'script failure' }))
    expect(await arc.broadcast(tx.toHex())).toEqual({
      status: 'rejected',
      code: 'PL2010',
      detail: 'script failure',
    })
  })

  it('QUEUED is polled on GET /v1/tx/{txid} until it is seen: accepted', async () => {
    let polls = 0
    const arc = await arcAnswering((req) => {
      if (req.method === 'POST') return status('QUEUED')
      polls += 1
      return polls < 3 ? status('QUEUED') : status('SEEN_ON_NETWORK')
    })
    expect(await arc.broadcast(tx.toHex())).toEqual({
      status: 'accepted',
      txid: TXID,
      txStatus: 'SEEN_ON_NETWORK',
    })
    expect(server!.requests.slice(1).map((r) => `${r.method} ${r.path}`)).toEqual(
      Array.from({ length: 3 }, () => `GET /v1/tx/${TXID}`),
    )
  })

  it('QUEUED that stays QUEUED is undecided PL4002 after the poll duration', async () => {
    const arc = await arcAnswering(() => status('QUEUED'))
    const started = Date.now()
    expect(await arc.broadcast(tx.toHex())).toMatchObject({ status: 'undecided', code: 'PL4002' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(server!.requests.length).toBe(11)
  })

  it('a poll that turns into DOUBLE_SPEND_ATTEMPTED is rejected PL2011', async () => {
    const arc = await arcAnswering((req) =>
      req.method === 'POST'
        ? status('SEEN_IN_ORPHAN_MEMPOOL')
        : status('DOUBLE_SPEND_ATTEMPTED', { competingTxs: ['cd'.repeat(32)] }),
    )
    expect(await arc.broadcast(tx.toHex())).toMatchObject({
      status: 'rejected',
      code: 'PL2011',
      competingTxs: ['cd'.repeat(32)],
    })
  })

  it.each([
    [401, 'PL4003'],
    [403, 'PL4003'],
    [409, 'PL4001'],
    [500, 'PL4001'],
    [502, 'PL4001'],
  ])('%i is undecided %s', async (code, reason) => {
    const arc = await arcAnswering(() => ({
      status: code,
      body: { status: code, title: 'no', detail: 'no' },
    }))
    expect(await arc.broadcast(tx.toHex())).toMatchObject({ status: 'undecided', code: reason })
  })

  it('200 about another txid is undecided, not accepted', async () => {
    const arc = await arcAnswering(() => ({
      status: 200,
      body: { txid: 'cd'.repeat(32), txStatus: 'SEEN_ON_NETWORK' },
    }))
    expect(await arc.broadcast(tx.toHex())).toMatchObject({ status: 'undecided', code: 'PL4002' })
  })

  it('no answer within the time-out, or nothing listening, is undecided PL4001', async () => {
    const arc = await arcAnswering(() => 'hang', 200)
    expect(await arc.broadcast(tx.toHex())).toMatchObject({ status: 'undecided', code: 'PL4001' })
    const down = new ArcClient(await closedPortUrl())
    expect(await down.broadcast(tx.toHex())).toMatchObject({ status: 'undecided', code: 'PL4001' })
  })

  it('status and policy failures throw PL4001 / PL4003', async () => {
    const arc = await arcAnswering((req) => ({ status: req.path === '/v1/policy' ? 401 : 500 }))
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (err: unknown) => (isPaylinkError(err) ? err.code : String(err)),
      )
    expect(await codeOf(arc.policy())).toBe('PL4003')
    expect(await codeOf(arc.status(TXID))).toBe('PL4001')
  })
})
