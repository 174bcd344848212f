/**
 * The mAPI client (protocols-p4.md §12.2, §12.3, §8) against a real devnet, its envelopes
 * verified against the miner key that `GET /mapi/feeQuote` names; and against canned answers the
 * devnet never gives (policyQuote 404, retryable failures, 401, 5xx, unsigned quotes).
 */
import { LockingScript, PrivateKey, Transaction, UnlockingScript } from '@bsv/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { signEnvelope } from '../../src/chain/json-envelope.ts'
import { MapiClient } from '../../src/chain/mapi-client.ts'
import { tscRoot } from '../../src/chain/tsc-proof.ts'
import { isPaylinkError } from '../../src/core/errors.ts'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'
import {
  type CannedAnswer,
  type CannedRequest,
  type CannedServer,
  startCannedServer,
} from './canned-server.ts'

let net: RunningDevnet
let minerKey: string
let mapi: MapiClient

beforeAll(async () => {
  net = await startDevnet()
  const envelope = (await (await fetch(`${net.urls.mapi}/feeQuote`)).json()) as { publicKey: string }
  minerKey = envelope.publicKey
  mapi = new MapiClient(net.urls.mapi, { minerKey })
})
afterAll(() => net.close())

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => (isPaylinkError(err) ? err.code : String(err)),
  )

describe('MapiClient against the devnet', () => {
  it("the fee quote is signed by the miner and maps to the devnet's rate until a future expiry", async () => {
    const quote = await mapi.feeQuote()
    const fee = net.devnet.policy.fee
    expect(quote).toMatchObject({ standard: fee, data: fee, minerId: minerKey })
    expect(quote.expiresAt.getTime()).toBeGreaterThan(Date.now())
  })

  it('a valid payment is accepted, and accepted again when resubmitted', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    expect(await mapi.broadcast(tx.toHex())).toMatchObject({ status: 'accepted', txid: tx.id('hex') })
    expect(await mapi.broadcast(tx.toHex())).toMatchObject({ status: 'accepted', txid: tx.id('hex') })
  })

  it('a bad signature is rejected PL2010 with the result description', async () => {
    const { source, vout } = await fundedKey(net.urls)
    const forged = await spend(source, vout, PrivateKey.fromRandom())
    const result = await mapi.broadcast(forged.toHex())
    expect(result).toMatchObject({ status: 'rejected', code: 'PL2010' })
    expect(result.status === 'rejected' && result.detail).toContain('461')
  })

  it('a double spend is rejected PL2011 naming the first spend', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const first = await spend(source, vout, key, { pay: 5_000 })
    const second = await spend(source, vout, key, { pay: 6_000 })
    expect(await mapi.broadcast(first.toHex())).toMatchObject({ status: 'accepted' })
    expect(await mapi.broadcast(second.toHex())).toMatchObject({
      status: 'rejected',
      code: 'PL2011',
      competingTxs: [first.id('hex')],
    })
  })

  it('answers signed by another key than the configured miner key are not trusted', async () => {
    const other = new MapiClient(net.urls.mapi, {
      minerKey: PrivateKey.fromRandom().toPublicKey().toString(),
    })
    expect(await codeOf(other.feeQuote())).toBe('PL6005')
    const { key, source, vout } = await fundedKey(net.urls)
    expect(await other.broadcast((await spend(source, vout, key)).toHex())).toMatchObject({
      status: 'undecided',
      code: 'PL4001',
    })
  })

  it("status: unknown is undefined; mined carries a TSC proof of its block's merkle root", async () => {
    expect(await mapi.status('ab'.repeat(32))).toBeUndefined()
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    await mapi.broadcast(tx.toHex())
    expect(await mapi.status(tx.id('hex'))).toEqual({ mined: false })
    const block = await net.devnet.ledger.mine(1)
    const status = await mapi.status(tx.id('hex'))
    expect(status).toMatchObject({ mined: true, blockHash: block.hash, blockHeight: block.height })
    expect(tscRoot(status!.proof!, tx.id('hex'))).toBe(block.header.merkleRoot)
  })
})

describe('MapiClient against canned answers', () => {
  const miner = PrivateKey.fromRandom()
  const key = miner.toPublicKey().toString()
  const signed = (payload: unknown) => signEnvelope(JSON.stringify(payload), miner)
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
  const quote = {
    expiryTime: new Date(Date.now() + 60_000).toISOString(),
    fees: [
      {
        feeType: 'standard',
        miningFee: { satoshis: 50, bytes: 1000 },
        relayFee: { satoshis: 0, bytes: 1000 },
      },
      { feeType: 'data', miningFee: { satoshis: 25, bytes: 1000 }, relayFee: { satoshis: 0, bytes: 1000 } },
    ],
  }

  let server: CannedServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })
  async function mapiAnswering(answer: (req: CannedRequest) => CannedAnswer) {
    server = await startCannedServer(answer)
    return new MapiClient(`${server.url}/mapi`, { minerKey: key, timeoutMs: 2000 })
  }

  it('falls back from policyQuote to feeQuote on 404', async () => {
    const client = await mapiAnswering((req) =>
      req.path === '/mapi/feeQuote' ? { status: 200, body: signed(quote) } : { status: 404 },
    )
    expect(await client.feeQuote()).toMatchObject({
      standard: { satoshis: 50, bytes: 1000 },
      data: { satoshis: 25, bytes: 1000 },
    })
    expect(server!.requests.map((r) => r.path)).toEqual(['/mapi/policyQuote', '/mapi/feeQuote'])
  })

  it('an unsigned fee quote is refused PL6005', async () => {
    const client = await mapiAnswering(() => ({
      status: 200,
      body: { ...signed(quote), signature: null, publicKey: null },
    }))
    expect(await codeOf(client.feeQuote())).toBe('PL6005')
  })

  it('posts the §12.2 body with a Bearer callback token', async () => {
    const client = await mapiAnswering(() => ({
      status: 200,
      body: signed({ txid: tx.id('hex'), returnResult: 'success' }),
    }))
    const result = await client.broadcast(tx.toHex(), {
      callbackUrl: 'https://m.example/cb',
      callbackToken: 'tok',
    })
    expect(result).toMatchObject({ status: 'accepted' })
    expect(JSON.parse(server!.requests[0]!.body)).toEqual({
      rawtx: tx.toHex(),
      callbackUrl: 'https://m.example/cb',
      callbackToken: 'Bearer tok',
      merkleProof: true,
      merkleFormat: 'TSC',
      dsCheck: true,
    })
  })

  it.each([
    ['a retryable failure', 200, 'PL4001'],
    ['401', 401, 'PL4003'],
    ['403', 403, 'PL4003'],
    ['500', 500, 'PL4001'],
  ])('%s is undecided %s', async (_name, status, code) => {
    const retryable = {
      txid: tx.id('hex'),
      returnResult: 'failure',
      failureRetryable: true,
      resultDescription: 'busy',
    }
    const client = await mapiAnswering(() => ({
      status,
      body: status === 200 ? signed(retryable) : undefined,
    }))
    expect(await client.broadcast(tx.toHex())).toMatchObject({ status: 'undecided', code })
  })
})
