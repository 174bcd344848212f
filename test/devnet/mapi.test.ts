/**
 * The devnet's mAPI 1.5.0 (PROTOCOLS.md §12.2, §12.3; issue 2, "What it must show": mAPI envelopes
 * verify against the miner key): every answer is a JSONEnvelope signed by the key the devnet
 * keeps as its miner key, the fee quote publishes the enforced rate, conflicts name the first
 * spend, and a mined transaction's TSC proof gives its block's merkle root.
 */
import { randomBytes } from 'node:crypto'
import { PrivateKey, type Transaction } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEnvelopePayload, parseJsonEnvelope, verifyEnvelope } from '../../src/chain/json-envelope.ts'
import { parseTscProof, tscRoot } from '../../src/chain/tsc-proof.ts'
import { bytesToHex } from '../../src/core/bytes.ts'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'

type Json = Record<string, unknown>

let net: RunningDevnet
/** The miner's public key, read from the devnet's store rather than from any answer. */
let minerKey: string

beforeAll(async () => {
  net = await startDevnet()
  const row = await net.store.db
    .selectFrom('devnet_meta')
    .select('value')
    .where('key', '=', 'miner_key')
    .executeTakeFirstOrThrow()
  minerKey = PrivateKey.fromHex(row.value).toPublicKey().toString()
})
afterAll(() => net.close())

/** The verified payload of a mAPI answer: signed by the miner key, and naming it as `minerId`. */
async function payloadOf(res: Response): Promise<Json> {
  const env = parseJsonEnvelope(await res.json())
  expect(env).toMatchObject({ publicKey: minerKey, encoding: 'UTF-8', mimetype: 'application/json' })
  expect(verifyEnvelope(env, minerKey)).toBe(true)
  const payload = parseEnvelopePayload(env) as Json
  expect(payload['minerId']).toBe(env.publicKey)
  return payload
}

const get = (path: string) => fetch(`${net.urls.mapi}${path}`)

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${net.urls.mapi}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

async function submit(rawtx: string): Promise<{ status: number; payload: Json }> {
  const res = await post('/tx', { rawtx })
  return { status: res.status, payload: await payloadOf(res) }
}

async function payment(): Promise<Transaction> {
  const { key, source, vout } = await fundedKey(net.urls, 20_000)
  return spend(source, vout, key)
}

describe('mAPI quotes', () => {
  it('feeQuote is signed by the miner and quotes the rate of /v1/policy until a future expiry', async () => {
    const quote = await payloadOf(await get('/feeQuote'))
    const policy = (await (await fetch(`${net.urls.arc}/v1/policy`)).json()) as { policy: Json }
    const rate = policy.policy['miningFee']
    expect(quote['fees']).toEqual([
      { feeType: 'standard', miningFee: rate, relayFee: rate },
      { feeType: 'data', miningFee: rate, relayFee: rate },
    ])
    expect(Date.parse(quote['expiryTime'] as string)).toBeGreaterThan(Date.now())
    expect(quote).toMatchObject({
      apiVersion: '1.5.0',
      currentHighestBlockHash: net.devnet.ledger.tip.hash,
      currentHighestBlockHeight: net.devnet.ledger.tip.height,
    })
  })

  it('policyQuote is signed by the miner and carries fees and policies', async () => {
    const quote = await payloadOf(await get('/policyQuote'))
    expect(quote['fees']).toHaveLength(2)
    expect(quote['policies']).toMatchObject({ maxtxsizepolicy: net.devnet.policy.maxTxSize })
    expect(Date.parse(quote['expiryTime'] as string)).toBeGreaterThan(Date.now())
  })
})

describe('mAPI submit', () => {
  it('a valid transaction is answered success in a signed envelope', async () => {
    const tx = await payment()
    const { status, payload } = await submit(tx.toHex())
    expect(status).toBe(200)
    expect(payload).toMatchObject({ txid: tx.id('hex'), returnResult: 'success', conflictedWith: [] })
  })

  it('a refused transaction is answered failure in a signed envelope', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 20_000)
    const forged = await spend(source, vout, PrivateKey.fromRandom())
    const { status, payload } = await submit(forged.toHex())
    expect(status).toBe(200)
    expect(payload).toMatchObject({
      txid: forged.id('hex'),
      returnResult: 'failure',
      failureRetryable: false,
    })
    expect(payload['resultDescription']).toContain('461')
    // The coin is untouched: the owner can still spend it.
    expect((await submit((await spend(source, vout, key)).toHex())).payload['returnResult']).toBe('success')
  })

  it('a body whose rawtx is not hex is answered 400 in a signed envelope', async () => {
    const res = await post('/tx', { rawtx: 'not hex' })
    expect(res.status).toBe(400)
    expect(await payloadOf(res)).toMatchObject({ returnResult: 'failure' })
  })

  it('a double spend is answered failure with conflictedWith naming the first spend', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 20_000)
    const first = await spend(source, vout, key, { pay: 5_000 })
    const second = await spend(source, vout, key, { pay: 6_000 })
    expect((await submit(first.toHex())).payload['returnResult']).toBe('success')
    const { payload } = await submit(second.toHex())
    expect(payload).toMatchObject({ txid: second.id('hex'), returnResult: 'failure' })
    const conflicted = payload['conflictedWith'] as Json[]
    expect(conflicted[0]).toMatchObject({ txid: first.id('hex'), hex: first.toHex() })
  })

  it('POST /mapi/txs answers each transaction with its own result', async () => {
    const tx = await payment()
    const res = await post('/txs', [
      { rawtx: tx.toHex() },
      { rawtx: 'zz' },
      { rawtx: bytesToHex(randomBytes(50)) },
    ])
    expect(res.status).toBe(200)
    const payload = await payloadOf(res)
    const txs = payload['txs'] as Json[]
    expect(txs.map((t) => t['returnResult'])).toEqual(['success', 'failure', 'failure'])
    expect(txs[0]!['txid']).toBe(tx.id('hex'))
    expect(payload['failureCount']).toBe(2)
  })
})

describe('mAPI status', () => {
  it('an unconfirmed transaction has no block and no proof', async () => {
    const tx = await payment()
    await submit(tx.toHex())
    const payload = await payloadOf(await get(`/tx/${tx.id('hex')}?merkleProof=true&merkleFormat=TSC`))
    expect(payload).toMatchObject({ returnResult: 'success', blockHash: null, confirmations: 0 })
    expect(payload['merkleProof']).toBeUndefined()
  })

  it("a mined transaction's TSC proof gives the merkle root of its block", async () => {
    const tx = await payment()
    const txid = tx.id('hex')
    await submit(tx.toHex())
    const tip = await net.devnet.ledger.mine(1)
    const payload = await payloadOf(await get(`/tx/${txid}?merkleProof=true&merkleFormat=TSC`))
    expect(payload).toMatchObject({
      txid,
      returnResult: 'success',
      blockHash: tip.hash,
      blockHeight: tip.height,
      confirmations: 1,
    })
    const proof = parseTscProof(payload['merkleProof'])
    expect(proof).toMatchObject({ txOrId: txid, target: tip.hash, targetType: 'hash' })
    const header = (await (await fetch(`${net.urls.headers}/api/v1/chain/header/${tip.hash}`)).json()) as Json
    expect(tscRoot(proof, txid)).toBe(header['merkleRoot'])
  })

  it('an unknown transaction is answered failure in a signed envelope', async () => {
    const payload = await payloadOf(await get(`/tx/${bytesToHex(randomBytes(32))}`))
    expect(payload['returnResult']).toBe('failure')
  })
})
