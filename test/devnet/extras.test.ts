/**
 * The devnet's own endpoints (issue 2, "Devnet extras"): `POST /devnet/faucet` refuses what it
 * cannot pay, with catalogue reasons (PL7003, PL7004), and `POST /devnet/mine` mines the blocks
 * asked for.
 */
import { PrivateKey } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_SATOSHIS } from '../../src/core/amount.ts'
import { type RunningDevnet, startDevnet } from '../support/devnet.ts'

type Json = Record<string, unknown>

let net: RunningDevnet

beforeAll(async () => {
  net = await startDevnet()
})
afterAll(() => net.close())

async function post(path: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${net.urls.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Json }
}

/** The faucet's answer to `body`, checking that a refusal mined nothing and moved no coin. */
async function faucet(body: unknown): Promise<{ status: number; body: Json }> {
  const ledger = net.devnet.ledger
  const before = { audit: ledger.audit(), tip: ledger.tip.hash, mempool: ledger.mempoolSize }
  const res = await post('/devnet/faucet', body)
  if (res.status !== 200) {
    expect({ audit: ledger.audit(), tip: ledger.tip.hash, mempool: ledger.mempoolSize }).toEqual(before)
  }
  return res
}

const address = () => PrivateKey.fromRandom().toAddress()

describe('POST /devnet/faucet', () => {
  it('pays a P2PKH address in a mined transaction', async () => {
    const height = net.devnet.ledger.tip.height
    const res = await faucet({ address: address(), satoshis: 12_345 })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ vout: 0, satoshis: 12_345 })
    expect(net.devnet.ledger.tip.height).toBe(height + 1)
    const status = (await (await fetch(`${net.urls.arc}/v1/tx/${res.body['txid']}`)).json()) as Json
    expect(status['txStatus']).toBe('MINED')
  })

  it('an address that is not a P2PKH address is refused 400 PL7004', async () => {
    const p2sh = '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy'
    const good = address()
    const flipped = `${good.slice(0, -1)}${good.endsWith('x') ? 'y' : 'x'}`
    const broken = ['not-an-address', '1111111111111111111111111111111111', flipped]
    for (const bad of [...broken, p2sh, 42]) {
      const res = await faucet({ address: bad, satoshis: 1000 })
      expect(res.status).toBe(400)
      expect(res.body).toMatchObject({ reason: 'PL7004' })
    }
  })

  it('0, negative or fractional satoshis are refused 400 PL7004', async () => {
    for (const satoshis of [0, -1, 1.5, '1000']) {
      const res = await faucet({ address: address(), satoshis })
      expect(res.status).toBe(400)
      expect(res.body).toMatchObject({ reason: 'PL7004' })
    }
  })

  it('more than the faucet holds is refused 503 PL7003', async () => {
    const balance = net.devnet.faucet.balance()
    expect(balance).toBeLessThan(MAX_SATOSHIS)
    const res = await faucet({ address: address(), satoshis: MAX_SATOSHIS })
    expect(res.status).toBe(503)
    expect(res.body).toMatchObject({ reason: 'PL7003' })
  })
})

describe('POST /devnet/mine', () => {
  it('{"blocks": 3} mines three blocks and answers the new tip', async () => {
    const height = net.devnet.ledger.tip.height
    const res = await post('/devnet/mine', { blocks: 3 })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ height: height + 3, hash: net.devnet.ledger.tip.hash })
    const tip = (await (await fetch(`${net.urls.headers}/api/v1/chain/tip/longest`)).json()) as Json
    expect(tip['height']).toBe(height + 3)
  })

  it('an empty body mines one block', async () => {
    const height = net.devnet.ledger.tip.height
    const res = await fetch(`${net.urls.base}/devnet/mine`, { method: 'POST' })
    expect(res.status).toBe(200)
    expect(((await res.json()) as Json)['height']).toBe(height + 1)
  })

  it('0, too many or non-integer blocks are refused 400 PL7004 and mine nothing', async () => {
    const height = net.devnet.ledger.tip.height
    for (const blocks of [0, -1, 1001, 1.5, 'two']) {
      const res = await post('/devnet/mine', { blocks })
      expect(res.status).toBe(400)
      expect(res.body).toMatchObject({ reason: 'PL7004' })
    }
    expect(net.devnet.ledger.tip.height).toBe(height)
  })
})
