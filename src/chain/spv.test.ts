import { P2PKH, PrivateKey, Transaction, UnlockingScript } from '@bsv/sdk'
import { describe, expect, it } from 'vitest'
import { bytesToHex, utf8ToBytes } from '../core/bytes.ts'
import { randomBytes } from '../core/ids.ts'
import { type Ancestry, type AncestryEntry, parseAncestry } from './ancestry.ts'
import type { HeaderSource, HeaderState, RootAtHeight, RootsVerdict } from './headers-client.ts'
import { merklePathFor, merkleRoot } from './merkle-tree.ts'
import { verifyAncestry } from './spv.ts'
import { tscFromMerklePath } from './tsc-proof.ts'

/** Headers of a made-up chain: roots by height, header states by hash; counts the requests. */
class FakeHeaders implements HeaderSource {
  readonly roots = new Map<number, string>()
  readonly states = new Map<string, HeaderState>()
  readonly batches: RootAtHeight[][] = []
  tip = 300
  down = false

  async verifyRoots(items: readonly RootAtHeight[]): Promise<RootsVerdict> {
    this.batches.push([...items])
    if (this.down) return 'UNABLE_TO_VERIFY'
    const verdicts = items.map((i) => {
      const root = this.roots.get(i.blockHeight)
      return root === undefined ? 'UNABLE_TO_VERIFY' : root === i.merkleRoot ? 'CONFIRMED' : 'INVALID'
    })
    return verdicts.includes('INVALID')
      ? 'INVALID'
      : verdicts.includes('UNABLE_TO_VERIFY')
        ? 'UNABLE_TO_VERIFY'
        : 'CONFIRMED'
  }

  async currentHeight(): Promise<number> {
    return this.tip
  }

  async headerState(hash: string): Promise<HeaderState | undefined> {
    return this.states.get(hash)
  }
}

const key = PrivateKey.fromRandom()
const randomTxid = () => bytesToHex(randomBytes(32))

/** A tx mined at `height` (at offset 0 when `coinbase`) paying `satoshis` to `key`. */
function mined(headers: FakeHeaders, satoshis: number, height: number, coinbase = false): Transaction {
  const tx = new Transaction(
    1,
    [
      {
        sourceTXID: randomTxid(),
        sourceOutputIndex: 0,
        unlockingScript: UnlockingScript.fromHex('00'),
        sequence: 0,
      },
    ],
    [{ satoshis, lockingScript: new P2PKH().lock(key.toAddress()) }],
    0,
  )
  const block = coinbase ? [tx.id('hex'), randomTxid()] : [randomTxid(), tx.id('hex'), randomTxid()]
  tx.merklePath = merklePathFor(block, height, coinbase ? 0 : 1)
  headers.roots.set(height, merkleRoot(block))
  return tx
}

/** A signed P2PKH spend of each `sources` output 0, paying `pay` back to `key`. */
async function spend(sources: Transaction[], pay: number, signer = key): Promise<Transaction> {
  const tx = new Transaction()
  for (const source of sources) {
    tx.addInput({
      sourceTransaction: source,
      sourceOutputIndex: 0,
      unlockingScriptTemplate: new P2PKH().unlock(signer),
    })
  }
  tx.addOutput({ satoshis: pay, lockingScript: new P2PKH().lock(key.toAddress()) })
  await tx.sign()
  return tx
}

const beefOf = (tx: Transaction) => parseAncestry(Uint8Array.from(tx.toAtomicBEEF()), tx.id('hex'))

function ancestryOf(
  subject: Transaction,
  entries: [Transaction, AncestryEntry['proof']?, Uint8Array[]?][],
): Ancestry {
  const txs = new Map<string, AncestryEntry>([[subject.id('hex'), { tx: subject }]])
  for (const [tx, proof, mapiResponses] of entries) {
    txs.set(tx.id('hex'), { tx, ...(proof ? { proof } : {}), ...(mapiResponses ? { mapiResponses } : {}) })
  }
  return { format: 'binary', subject, txs }
}

describe('SPV: valid ancestry', () => {
  it('a payment spending a mined output verifies, with its input satoshis', async () => {
    const headers = new FakeHeaders()
    const payment = await spend([mined(headers, 5000, 120)], 4800)
    expect(await verifyAncestry(beefOf(payment), payment, headers)).toEqual({ ok: true, inputSatoshis: 5000 })
  })

  it('a chain of unconfirmed txs over two mined ones verifies with one batch of roots', async () => {
    const headers = new FakeHeaders()
    const a = mined(headers, 3000, 120)
    const b = mined(headers, 4000, 121)
    const middle = await spend([a, b], 6500)
    const payment = await spend([middle], 6000)
    expect(await verifyAncestry(beefOf(payment), payment, headers)).toEqual({ ok: true, inputSatoshis: 6500 })
    expect(headers.batches).toHaveLength(1)
    expect(headers.batches[0]).toHaveLength(2)
  })

  it('TSC proofs: a hash target is checked by its header state, a merkleRoot target by a mAPI height', async () => {
    const headers = new FakeHeaders()
    const a = mined(headers, 3000, 120)
    const b = mined(headers, 4000, 121)
    const payment = await spend([a, b], 6500)
    const blockHash = randomTxid()
    headers.states.set(blockHash, {
      hash: blockHash,
      state: 'LONGEST_CHAIN',
      height: 120,
      merkleRoot: headers.roots.get(120)!,
    })
    const tscA = tscFromMerklePath(a.merklePath!, a.id('hex'), blockHash, 'hash')
    const tscB = tscFromMerklePath(b.merklePath!, b.id('hex'), headers.roots.get(121)!, 'merkleRoot')
    const callback = utf8ToBytes(JSON.stringify({ callbackTxId: b.id('hex'), blockHeight: 121 }))
    const ancestry = ancestryOf(payment, [
      [a, { kind: 'tsc', proof: tscA }],
      [b, { kind: 'tsc', proof: tscB }, [callback]],
    ])
    expect(await verifyAncestry(ancestry, payment, headers)).toEqual({ ok: true, inputSatoshis: 7000 })
    expect(headers.batches).toEqual([[{ blockHeight: 121, merkleRoot: headers.roots.get(121) }]])

    headers.states.set(blockHash, { ...headers.states.get(blockHash)!, state: 'STALE' })
    expect(await verifyAncestry(ancestry, payment, headers)).toMatchObject({ ok: false, code: 'PL3004' })
    headers.states.delete(blockHash)
    expect(await verifyAncestry(ancestry, payment, headers)).toMatchObject({ ok: false, code: 'PL3004' })
  })
})

describe('SPV: refusals', () => {
  it('PL3007: the tip is not the payment, or carries a proof', async () => {
    const headers = new FakeHeaders()
    const parent = mined(headers, 5000, 120)
    const payment = await spend([parent], 4800)
    const other = await spend([parent], 4700)
    expect(await verifyAncestry(beefOf(payment), other, headers)).toMatchObject({ ok: false, code: 'PL3007' })
    const proven = ancestryOf(parent, [])
    proven.txs.set(parent.id('hex'), { tx: parent, proof: { kind: 'bump', path: parent.merklePath! } })
    expect(await verifyAncestry(proven, parent, headers)).toMatchObject({ ok: false, code: 'PL3007' })
  })

  it('PL3003: a missing parent, or a chain of unproven txs that ends without a proof', async () => {
    const headers = new FakeHeaders()
    const parent = mined(headers, 5000, 120)
    const middle = await spend([parent], 4900)
    const payment = await spend([middle], 4800)
    const missing = await verifyAncestry(ancestryOf(payment, [[parent, undefined]]), payment, headers)
    expect(missing).toMatchObject({ ok: false, code: 'PL3003' })
    expect(missing.ok || missing.detail).toContain(
      'break in the ancestry missing either a parent transaction or a proof',
    )
    const unproven = await verifyAncestry(ancestryOf(payment, [[middle], [parent]]), payment, headers)
    expect(unproven).toMatchObject({ ok: false, code: 'PL3003' })
    expect(headers.batches).toHaveLength(0)
  })

  it('PL3004: a root the headers call INVALID; PL3005: headers unable to verify', async () => {
    const headers = new FakeHeaders()
    const payment = await spend([mined(headers, 5000, 120)], 4800)
    const ancestry = beefOf(payment)
    headers.roots.set(120, randomTxid())
    expect(await verifyAncestry(ancestry, payment, headers)).toMatchObject({ ok: false, code: 'PL3004' })
    headers.roots.delete(120)
    expect(await verifyAncestry(ancestry, payment, headers)).toMatchObject({ ok: false, code: 'PL3005' })
    headers.down = true
    expect(await verifyAncestry(ancestry, payment, headers)).toMatchObject({ ok: false, code: 'PL3005' })
  })

  it('PL3004: a proof that is for another tx, or a merkleRoot target without a height', async () => {
    const headers = new FakeHeaders()
    const a = mined(headers, 5000, 120)
    const b = mined(headers, 5000, 121)
    const payment = await spend([a], 4800)
    const wrong = ancestryOf(payment, [[a, { kind: 'bump', path: b.merklePath! }]])
    expect(await verifyAncestry(wrong, payment, headers)).toMatchObject({ ok: false, code: 'PL3004' })
    const tsc = tscFromMerklePath(a.merklePath!, a.id('hex'), headers.roots.get(120)!, 'merkleRoot')
    const noHeight = ancestryOf(payment, [[a, { kind: 'tsc', proof: tsc }]])
    expect(await verifyAncestry(noHeight, payment, headers)).toMatchObject({ ok: false, code: 'PL3004' })
  })

  it('PL3006: a script that fails, Σin < Σout, an output spent twice', async () => {
    const headers = new FakeHeaders()
    const parent = mined(headers, 5000, 120)
    const forged = await spend([parent], 4800, PrivateKey.fromRandom())
    expect(await verifyAncestry(beefOf(forged), forged, headers)).toMatchObject({ ok: false, code: 'PL3006' })
    const greedy = await spend([parent], 5001)
    expect(await verifyAncestry(beefOf(greedy), greedy, headers)).toMatchObject({ ok: false, code: 'PL3006' })
    const twice = await spend([parent, parent], 9000)
    const result = await verifyAncestry(
      ancestryOf(twice, [[parent, { kind: 'bump', path: parent.merklePath! }]]),
      twice,
      headers,
    )
    expect(result).toMatchObject({ ok: false, code: 'PL3006' })
  })

  it('PL3006: a coinbase source needs tip height − its height ≥ 99', async () => {
    const headers = new FakeHeaders()
    const coinbase = mined(headers, 5000, 200, true)
    const payment = await spend([coinbase], 4800)
    headers.tip = 298
    expect(await verifyAncestry(beefOf(payment), payment, headers)).toMatchObject({
      ok: false,
      code: 'PL3006',
    })
    headers.tip = 299
    expect(await verifyAncestry(beefOf(payment), payment, headers)).toEqual({ ok: true, inputSatoshis: 5000 })
    expect(await verifyAncestry(beefOf(payment), payment, headers, { coinbaseMaturity: 101 })).toMatchObject({
      ok: false,
      code: 'PL3006',
    })
  })

  it('PL3002: more txs or proofs than the caps', async () => {
    const headers = new FakeHeaders()
    const a = mined(headers, 3000, 120)
    const b = mined(headers, 4000, 121)
    const middle = await spend([a, b], 6500)
    const payment = await spend([middle], 6000)
    const ancestry = beefOf(payment)
    expect(await verifyAncestry(ancestry, payment, headers, { maxTxs: 3 })).toMatchObject({
      ok: false,
      code: 'PL3002',
    })
    expect(await verifyAncestry(ancestry, payment, headers, { maxBumps: 1 })).toMatchObject({
      ok: false,
      code: 'PL3002',
    })
    expect(await verifyAncestry(ancestry, payment, headers, { maxTxs: 4, maxBumps: 2 })).toMatchObject({
      ok: true,
    })
  })
})
