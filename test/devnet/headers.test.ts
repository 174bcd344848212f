/**
 * The devnet's Block Headers Service API (PROTOCOLS.md §9 "Headers"; issue 2, "The devnet"): the
 * longest tip, merkle-root verification, headers by hash and by height, header state; and the
 * chain it serves is a real one: each header links to the previous one, hashes to its `hash`
 * and meets its own target.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BlockHeader, headerHash, meetsTarget } from '../../src/chain/block-header.ts'
import { bytesToHex } from '../../src/core/bytes.ts'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'

type Json = Record<string, unknown>

interface HeaderJson {
  hash: string
  version: number
  prevBlockHash: string
  merkleRoot: string
  creationTimestamp: number
  difficultyTarget: number
  nonce: number
  work: string
}

let net: RunningDevnet

beforeAll(async () => {
  net = await startDevnet()
  // A block with a payment in it, so merkle roots are not just coinbase txids.
  const { key, source, vout } = await fundedKey(net.urls)
  await net.devnet.ledger.accept(await spend(source, vout, key))
  await net.devnet.ledger.mine(1)
})
afterAll(() => net.close())

async function getJson(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${net.urls.headers}/api/v1/chain${path}`)
  return { status: res.status, body: await res.json() }
}

async function verifyRoots(items: { blockHeight: number; merkleRoot: string }[]): Promise<Json> {
  const res = await fetch(`${net.urls.headers}/api/v1/chain/merkleroot/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(items),
  })
  expect(res.status).toBe(200)
  return (await res.json()) as Json
}

function toHeader(h: HeaderJson): BlockHeader {
  return {
    version: h.version,
    prevHash: h.prevBlockHash,
    merkleRoot: h.merkleRoot,
    time: h.creationTimestamp,
    bits: h.difficultyTarget,
    nonce: h.nonce,
  }
}

describe('Block Headers Service API', () => {
  it('tip/longest is the best block, on the longest chain', async () => {
    const tip = net.devnet.ledger.tip
    const { status, body } = await getJson('/tip/longest')
    expect(status).toBe(200)
    expect(body).toMatchObject({ height: tip.height, state: 'LONGEST_CHAIN', header: { hash: tip.hash } })
  })

  it('merkleroot/verify confirms the root of a block at its height', async () => {
    const tip = net.devnet.ledger.tip
    const body = await verifyRoots([{ blockHeight: tip.height, merkleRoot: tip.header.merkleRoot }])
    expect(body['confirmationState']).toBe('CONFIRMED')
    expect(body['confirmations']).toEqual([
      {
        blockHash: tip.hash,
        blockHeight: tip.height,
        merkleRoot: tip.header.merkleRoot,
        confirmation: 'CONFIRMED',
      },
    ])
  })

  it('merkleroot/verify calls a wrong root at a known height INVALID', async () => {
    const body = await verifyRoots([{ blockHeight: 1, merkleRoot: bytesToHex(randomBytes(32)) }])
    expect(body['confirmationState']).toBe('INVALID')
  })

  it('merkleroot/verify is UNABLE_TO_VERIFY above the tip', async () => {
    const tip = net.devnet.ledger.tip
    const body = await verifyRoots([{ blockHeight: tip.height + 1, merkleRoot: tip.header.merkleRoot }])
    expect(body['confirmationState']).toBe('UNABLE_TO_VERIFY')
  })

  it('one INVALID root makes a batch INVALID', async () => {
    const tip = net.devnet.ledger.tip
    const body = await verifyRoots([
      { blockHeight: tip.height, merkleRoot: tip.header.merkleRoot },
      { blockHeight: 0, merkleRoot: tip.header.merkleRoot },
    ])
    expect(body['confirmationState']).toBe('INVALID')
  })

  it('header/{hash} gives the header of that block', async () => {
    const tip = net.devnet.ledger.tip
    const { status, body } = await getJson(`/header/${tip.hash}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      hash: tip.hash,
      prevBlockHash: tip.header.prevHash,
      merkleRoot: tip.header.merkleRoot,
    })
  })

  it('header/byHeight gives count headers from height', async () => {
    const { status, body } = await getJson('/header/byHeight?height=0&count=3')
    expect(status).toBe(200)
    const headers = body as HeaderJson[]
    expect(headers.map((h) => h.hash)).toEqual([0, 1, 2].map((h) => net.devnet.ledger.chain.at(h)!.hash))
  })

  it('header/state/{hash} gives the state and height of that block', async () => {
    const block = net.devnet.ledger.chain.at(2)!
    const { status, body } = await getJson(`/header/state/${block.hash}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({ height: 2, state: 'LONGEST_CHAIN', header: { hash: block.hash } })
  })

  it('an unknown hash is answered 404 with reason PL7002', async () => {
    const unknown = bytesToHex(randomBytes(32))
    for (const path of [`/header/${unknown}`, `/header/state/${unknown}`]) {
      const { status, body } = await getJson(path)
      expect(status).toBe(404)
      expect(body).toMatchObject({ reason: 'PL7002' })
    }
  })

  it('the headers form a chain: each links to the previous, hashes to its hash and meets its target', async () => {
    const tip = net.devnet.ledger.tip
    const { body } = await getJson(`/header/byHeight?height=0&count=${tip.height + 1}`)
    const headers = body as HeaderJson[]
    expect(headers).toHaveLength(tip.height + 1)
    expect(headers[0]!.prevBlockHash).toBe('0'.repeat(64))
    for (const [height, h] of headers.entries()) {
      expect(headerHash(toHeader(h))).toBe(h.hash)
      expect(meetsTarget(h.hash, h.difficultyTarget)).toBe(true)
      if (height > 0) expect(h.prevBlockHash).toBe(headers[height - 1]!.hash)
    }
    expect(headers.at(-1)!.hash).toBe(tip.hash)
  })
})
