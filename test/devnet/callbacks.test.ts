/**
 * Callbacks of the devnet (PROTOCOLS.md §12.1, §12.2; issue 2, "What it must show"): ARC's
 * `X-CallbackUrl` deliveries for MINED (and SEEN_ON_NETWORK with `X-FullStatusUpdates`) carrying
 * a merkle path that verifies against the devnet's headers, retried while the receiver is down,
 * effective once per status; `X-WaitFor: MINED`; mAPI's enveloped TSC merkle-proof callback.
 * The receiver is a real loopback HTTP server.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BlockHeadersService, MerklePath, type Transaction } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseEnvelopePayload, parseJsonEnvelope, verifyEnvelope } from '../../src/chain/json-envelope.ts'
import { parseTscProof, tscRoot } from '../../src/chain/tsc-proof.ts'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'

type Json = Record<string, unknown>

interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: Json
}

/** A loopback receiver: records 2xx deliveries per path; `failFirst` makes a path answer 500 first. */
interface Receiver {
  base: string
  port: number
  /** Requests answered 2xx, in arrival order. */
  delivered: Received[]
  /** Every request per path, answered or refused. */
  attempts: Map<string, number>
  failFirst: Map<string, number>
  close(): Promise<void>
}

async function startReceiver(port = 0): Promise<Receiver> {
  const server: Server = createServer()
  const receiver: Receiver = {
    base: '',
    port: 0,
    delivered: [],
    attempts: new Map(),
    failFirst: new Map(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  server.on('request', (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const path = req.url ?? '/'
      const attempt = (receiver.attempts.get(path) ?? 0) + 1
      receiver.attempts.set(path, attempt)
      if (attempt <= (receiver.failFirst.get(path) ?? 0)) {
        res.writeHead(500).end()
        return
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json
      receiver.delivered.push({ path, headers: req.headers, body })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  receiver.port = (server.address() as AddressInfo).port
  receiver.base = `http://127.0.0.1:${receiver.port}`
  return receiver
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await sleep(20)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Long enough for several delivery polls (25 ms) and retries (50 ms base): a second delivery would show. */
const SETTLE_MS = 300

let net: RunningDevnet
let receiver: Receiver

beforeAll(async () => {
  receiver = await startReceiver()
  net = await startDevnet()
})
afterAll(async () => {
  await net.close()
  await receiver.close()
})

async function broadcast(tx: Transaction, headers: Record<string, string> = {}, devnet = net) {
  const res = await fetch(`${devnet.urls.arc}/v1/tx`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ rawTx: tx.toHex() }),
  })
  return { status: res.status, body: (await res.json()) as Json }
}

async function payment(devnet = net): Promise<Transaction> {
  const { key, source, vout } = await fundedKey(devnet.urls, 20_000)
  return spend(source, vout, key)
}

const deliveredTo = (path: string) => receiver.delivered.filter((r) => r.path === path)

async function callbackRows(txid: string) {
  return net.store.db.selectFrom('devnet_callbacks').selectAll().where('txid', '=', txid).execute()
}

describe('ARC callbacks', () => {
  it('a mined transaction is called back once with MINED, a bearer token and a merkle path that verifies', async () => {
    const tx = await payment()
    const txid = tx.id('hex')
    const sent = await broadcast(tx, {
      'X-CallbackUrl': `${receiver.base}/mined`,
      'X-CallbackToken': 'tok-1',
    })
    expect(sent.status).toBe(200)
    const tip = await net.devnet.ledger.mine(1)

    await until(() => deliveredTo('/mined').length > 0)
    await sleep(SETTLE_MS)
    const calls = deliveredTo('/mined')
    expect(calls).toHaveLength(1)
    const [call] = calls as [Received]
    expect(call.headers['authorization']).toBe('Bearer tok-1')
    expect(call.headers['content-type']).toContain('application/json')
    expect(call.body).toMatchObject({ txid, txStatus: 'MINED', blockHash: tip.hash, blockHeight: tip.height })
    const path = MerklePath.fromHex(call.body['merklePath'] as string)
    expect(path.blockHeight).toBe(tip.height)
    expect(await path.verify(txid, new BlockHeadersService(net.urls.headers))).toBe(true)
  })

  it('with X-FullStatusUpdates, SEEN_ON_NETWORK is called back before MINED', async () => {
    const tx = await payment()
    const headers = {
      'X-CallbackUrl': `${receiver.base}/full`,
      'X-CallbackToken': 'tok-2',
      'X-FullStatusUpdates': 'true',
    }
    expect((await broadcast(tx, headers)).status).toBe(200)
    await until(() => deliveredTo('/full').length === 1)
    expect(deliveredTo('/full')[0]!.body).toMatchObject({ txid: tx.id('hex'), txStatus: 'SEEN_ON_NETWORK' })

    await net.devnet.ledger.mine(1)
    await until(() => deliveredTo('/full').length === 2)
    await sleep(SETTLE_MS)
    expect(deliveredTo('/full').map((c) => c.body['txStatus'])).toEqual(['SEEN_ON_NETWORK', 'MINED'])
    for (const call of deliveredTo('/full')) expect(call.headers['authorization']).toBe('Bearer tok-2')
  })

  it('without X-FullStatusUpdates only MINED is called back', async () => {
    const tx = await payment()
    expect((await broadcast(tx, { 'X-CallbackUrl': `${receiver.base}/quiet` })).status).toBe(200)
    await sleep(SETTLE_MS)
    expect(deliveredTo('/quiet')).toHaveLength(0)
    await net.devnet.ledger.mine(1)
    await until(() => deliveredTo('/quiet').length > 0)
    await sleep(SETTLE_MS)
    expect(deliveredTo('/quiet').map((c) => c.body['txStatus'])).toEqual(['MINED'])
    // No token given: no Authorization header.
    expect(deliveredTo('/quiet')[0]!.headers['authorization']).toBeUndefined()
  })

  it('a receiver answering 500 is retried until it answers 200, then never again', async () => {
    receiver.failFirst.set('/flaky', 2)
    const tx = await payment()
    expect((await broadcast(tx, { 'X-CallbackUrl': `${receiver.base}/flaky` })).status).toBe(200)
    await net.devnet.ledger.mine(1)

    await until(() => deliveredTo('/flaky').length > 0)
    // The receiver's 2xx comes before the queue records it: wait for the row, then for any repeat.
    await until(async () => (await callbackRows(tx.id('hex')))[0]?.state === 'delivered')
    await sleep(SETTLE_MS)
    expect(deliveredTo('/flaky')).toHaveLength(1)
    expect(receiver.attempts.get('/flaky')).toBe(3)
    const rows = await callbackRows(tx.id('hex'))
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ status: 'MINED', state: 'delivered', attempts: 3 })
  })

  it('a receiver not yet listening gets the callback once it starts', async () => {
    // A port that was free a moment ago and has nobody listening now.
    const probe = await startReceiver()
    const port = probe.port
    await probe.close()
    const tx = await payment()
    const url = `http://127.0.0.1:${port}/late`
    expect((await broadcast(tx, { 'X-CallbackUrl': url, 'X-CallbackToken': 'tok-3' })).status).toBe(200)
    await net.devnet.ledger.mine(1)
    await until(async () => ((await callbackRows(tx.id('hex')))[0]?.attempts ?? 0) >= 2)

    const late = await startReceiver(port)
    try {
      await until(() => late.delivered.length > 0)
      await until(async () => (await callbackRows(tx.id('hex')))[0]?.state === 'delivered')
      await sleep(SETTLE_MS)
      expect(late.delivered).toHaveLength(1)
      expect(late.delivered[0]!.body).toMatchObject({ txid: tx.id('hex'), txStatus: 'MINED' })
      expect(late.delivered[0]!.headers['authorization']).toBe('Bearer tok-3')
      const [row] = await callbackRows(tx.id('hex'))
      expect(row).toMatchObject({ state: 'delivered' })
      expect(row!.attempts).toBeGreaterThan(1)
    } finally {
      await late.close()
    }
  })

  it('resubmitting with the same callback URL, before and after mining, delivers MINED once', async () => {
    const tx = await payment()
    const headers = { 'X-CallbackUrl': `${receiver.base}/dup`, 'X-CallbackToken': 'tok-4' }
    expect((await broadcast(tx, headers)).status).toBe(200)
    expect((await broadcast(tx, headers)).status).toBe(200)
    await net.devnet.ledger.mine(1)
    await until(() => deliveredTo('/dup').length > 0)
    const again = await broadcast(tx, headers)
    expect(again.status).toBe(200)
    expect(again.body['txStatus']).toBe('MINED')
    await sleep(SETTLE_MS)
    expect(deliveredTo('/dup')).toHaveLength(1)
    expect(await callbackRows(tx.id('hex'))).toHaveLength(1)
  })

  it('resubmitting a mined transaction with a new callback URL is called back MINED at once', async () => {
    const tx = await payment()
    expect((await broadcast(tx)).status).toBe(200)
    const tip = await net.devnet.ledger.mine(1)
    expect((await broadcast(tx, { 'X-CallbackUrl': `${receiver.base}/after` })).status).toBe(200)
    await until(() => deliveredTo('/after').length > 0)
    expect(deliveredTo('/after')[0]!.body).toMatchObject({
      txid: tx.id('hex'),
      txStatus: 'MINED',
      blockHash: tip.hash,
    })
  })
})

describe('X-WaitFor', () => {
  it('X-WaitFor: MINED answers once a timed block has mined the transaction', async () => {
    const timed = await startDevnet({ blockInterval: 1 })
    try {
      const tx = await payment(timed)
      const sent = await broadcast(tx, { 'X-WaitFor': 'MINED', 'X-MaxTimeout': '5' }, timed)
      expect(sent.status).toBe(200)
      expect(sent.body).toMatchObject({ txid: tx.id('hex'), txStatus: 'MINED' })
      const path = MerklePath.fromHex(sent.body['merklePath'] as string)
      expect(path.blockHeight).toBe(sent.body['blockHeight'])
      expect(await path.verify(tx.id('hex'), new BlockHeadersService(timed.urls.headers))).toBe(true)
    } finally {
      await timed.close()
    }
  })
})

describe('mAPI callbacks', () => {
  it('a merkleProof callback is a signed JSONEnvelope whose TSC proof gives the block merkle root', async () => {
    const quote = parseJsonEnvelope(await (await fetch(`${net.urls.mapi}/feeQuote`)).json())
    const minerId = (parseEnvelopePayload(quote) as Json)['minerId'] as string
    const tx = await payment()
    const txid = tx.id('hex')
    const res = await fetch(`${net.urls.mapi}/tx`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        rawtx: tx.toHex(),
        callbackUrl: `${receiver.base}/mapi`,
        callbackToken: 'Bearer abc',
        merkleProof: true,
        merkleFormat: 'TSC',
      }),
    })
    expect(res.status).toBe(200)
    const tip = await net.devnet.ledger.mine(1)

    await until(() => deliveredTo('/mapi').length > 0)
    await sleep(SETTLE_MS)
    expect(deliveredTo('/mapi')).toHaveLength(1)
    const [call] = deliveredTo('/mapi') as [Received]
    expect(call.headers['authorization']).toBe('Bearer abc')
    const env = parseJsonEnvelope(call.body)
    expect(verifyEnvelope(env, minerId)).toBe(true)
    const payload = parseEnvelopePayload(env) as Json
    expect(payload).toMatchObject({
      callbackReason: 'merkleProof',
      callbackTxId: txid,
      blockHash: tip.hash,
      blockHeight: tip.height,
      minerId,
    })
    const proof = parseTscProof(payload['callbackPayload'])
    const header = (await (await fetch(`${net.urls.headers}/api/v1/chain/header/${tip.hash}`)).json()) as Json
    expect(tscRoot(proof, txid)).toBe(header['merkleRoot'])
  })
})
