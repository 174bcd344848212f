/**
 * Each rejection class of the devnet's ARC API (PROTOCOLS.md §12.1; issue 2, "What it must show"):
 * answered over real HTTP with ARC's status in an RFC 7807 body, and none of them changes the
 * ledger. Also the accepted submission forms (JSON, hex text, octet-stream; raw, EF, BEEF),
 * idempotent resubmission, `/v1/txs`, `/v1/policy` and `/v1/health`.
 */
import { randomBytes } from 'node:crypto'
import { Beef, LockingScript, P2PKH, PrivateKey, Transaction, UnlockingScript } from '@bsv/sdk'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex } from '../../src/core/bytes.ts'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'

type Json = Record<string, unknown>

let net: RunningDevnet

beforeAll(async () => {
  net = await startDevnet()
})
afterAll(() => net.close())

async function postTx(body: string | Uint8Array, contentType = 'application/json') {
  const res = await fetch(`${net.urls.arc}/v1/tx`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  })
  return { status: res.status, body: (await res.json()) as Json }
}

const postRaw = (rawTx: string) => postTx(JSON.stringify({ rawTx }))

async function getStatus(txid: string): Promise<number> {
  const res = await fetch(`${net.urls.arc}/v1/tx/${txid}`)
  await res.arrayBuffer()
  return res.status
}

/** What a refusal must leave untouched: coins, fees waiting in the mempool, mempool size, tip. */
function ledgerState() {
  const ledger = net.devnet.ledger
  return { audit: ledger.audit(), mempool: ledger.mempoolSize, tip: ledger.tip.hash }
}

/** Posts `rawTx` and expects ARC's `status` in an RFC 7807 body, with the ledger unchanged. */
async function expectRefused(rawTx: string, status: number, txid: string | null): Promise<Json> {
  const before = ledgerState()
  const res = await postRaw(rawTx)
  expect(res.status).toBe(status)
  expect(res.body).toMatchObject({ status, txid })
  expect(res.body['title']).toEqual(expect.any(String))
  expect(res.body['detail']).toEqual(expect.any(String))
  expect(res.body['type']).toEqual(expect.stringContaining(String(status)))
  expect(ledgerState()).toEqual(before)
  if (txid !== null) expect(await getStatus(txid)).toBe(404)
  return res.body
}

/** A copy of `tx` (not signed again) whose first input carries `script`. */
function withUnlocking(tx: Transaction, script: UnlockingScript): Transaction {
  const inputs = tx.inputs.map((input, i) => (i === 0 ? { ...input, unlockingScript: script } : input))
  return new Transaction(tx.version, inputs, tx.outputs, tx.lockTime)
}

/** A signed 1-input transaction spending `vout` of `source` with the given outputs (the rest is fee). */
async function spendTo(
  source: Transaction,
  vout: number,
  key: PrivateKey,
  outputs: { satoshis: number; lockingScript: LockingScript }[],
): Promise<Transaction> {
  const tx = new Transaction()
  tx.addInput({
    sourceTransaction: source,
    sourceOutputIndex: vout,
    unlockingScriptTemplate: new P2PKH().unlock(key),
  })
  for (const output of outputs) tx.addOutput(output)
  await tx.sign()
  return tx
}

const p2pkh = () => new P2PKH().lock(PrivateKey.fromRandom().toAddress())

describe('ARC rejections', () => {
  it('a signature that does not verify is refused 461', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    const script = tx.inputs[0]!.unlockingScript!.toBinary()
    // Byte 10 lies inside the DER signature's r value: still a well-formed push, a wrong signature.
    script[10] = script[10]! ^ 0x01
    const forged = withUnlocking(tx, UnlockingScript.fromBinary(script))
    const body = await expectRefused(forged.toHex(), 461, forged.id('hex'))
    expect(body['detail']).toContain('input 0')
    // The honest transaction still spends the coin: the refusal consumed nothing.
    expect((await postRaw(tx.toHex())).status).toBe(200)
  })

  it('a transaction signed with another key is refused 461', async () => {
    const { source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, PrivateKey.fromRandom())
    await expectRefused(tx.toHex(), 461, tx.id('hex'))
  })

  it('spending an output that never existed is refused 462', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    const inputs = tx.inputs.map((input) => ({
      ...input,
      sourceTransaction: undefined,
      sourceTXID: bytesToHex(randomBytes(32)),
    }))
    const orphan = new Transaction(tx.version, inputs, tx.outputs, tx.lockTime)
    await expectRefused(orphan.toHex(), 462, orphan.id('hex'))
  })

  it('spending an output already spent by a mined transaction is refused 462', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const first = await spend(source, vout, key, { pay: 10_000 })
    expect((await postRaw(first.toHex())).status).toBe(200)
    await net.devnet.ledger.mine(1)
    const second = await spend(source, vout, key, { pay: 20_000 })
    await expectRefused(second.toHex(), 462, second.id('hex'))
  })

  it('a second spend of an unconfirmed output is refused 466 naming the first', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const first = await spend(source, vout, key, { pay: 10_000 })
    expect((await postRaw(first.toHex())).status).toBe(200)
    const second = await spend(source, vout, key, { pay: 20_000 })
    const body = await expectRefused(second.toHex(), 466, second.id('hex'))
    expect(body['competingTxs']).toEqual([first.id('hex')])
    expect(await getStatus(first.id('hex'))).toBe(200)
  })

  it('garbage bytes are refused 463', async () => {
    await expectRefused('deadbeef', 463, null)
    await expectRefused(bytesToHex(randomBytes(200)), 463, null)
  })

  it('a truncated transaction is refused 463 and the whole one is still accepted', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    const hex = tx.toHex()
    // Without the lock time (zero, so a lax reader would fill it in and find valid signatures).
    await expectRefused(hex.slice(0, -8), 463, null)
    await expectRefused(hex.slice(0, 200), 463, null)
    expect((await postRaw(hex)).status).toBe(200)
  })

  it('a transaction followed by trailing bytes is refused 463', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    await expectRefused(`${tx.toHex()}00`, 463, null)
    await expectRefused(`${tx.toHexEF()}0000`, 463, null)
    expect((await postRaw(tx.toHex())).status).toBe(200)
  })

  it('a count claiming billions of inputs is refused 463 at once', async () => {
    const started = Date.now()
    await expectRefused('01000000feffffff7f', 463, null)
    await expectRefused('0100beef00feffffff7f', 463, null)
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('a rawTx that is not hex is answered 400', async () => {
    const before = ledgerState()
    for (const body of [{ rawTx: 'not hex' }, { rawTx: 'abc' }, { rawTx: '' }, { raw: '00' }]) {
      const res = await postTx(JSON.stringify(body))
      expect(res.status).toBe(400)
      expect(res.body).toMatchObject({ status: 400, title: 'Bad request' })
    }
    expect(ledgerState()).toEqual(before)
  })

  it('a 1.5 kB transaction paying no fee is refused 465; paying 1 satoshi it is accepted', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 40_000)
    // 40 P2PKH outputs: about 1,520 bytes, so the rule (⌊size × 1 ÷ 1000⌋) asks for 1 satoshi.
    const outputs = (fee: number) =>
      Array.from({ length: 40 }, (_, i) => ({ satoshis: 1000 - (i === 0 ? fee : 0), lockingScript: p2pkh() }))
    const free = await spendTo(source, vout, key, outputs(0))
    expect(free.toBinary().length).toBeGreaterThan(1000)
    expect(free.toBinary().length).toBeLessThan(2000)
    const body = await expectRefused(free.toHex(), 465, free.id('hex'))
    expect(body['detail']).toContain('fee 0')
    const paying = await spendTo(source, vout, key, outputs(1))
    expect((await postRaw(paying.toHex())).status).toBe(200)
  })

  it('a 0-satoshi P2PKH output is refused 464', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 10_000)
    const tx = await spendTo(source, vout, key, [
      { satoshis: 0, lockingScript: p2pkh() },
      { satoshis: 9_000, lockingScript: p2pkh() },
    ])
    await expectRefused(tx.toHex(), 464, tx.id('hex'))
  })

  it('a 0-satoshi OP_FALSE OP_RETURN data output is accepted', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 10_000)
    const data = LockingScript.fromASM(
      `OP_FALSE OP_RETURN ${bytesToHex(new TextEncoder().encode('paylink'))}`,
    )
    const tx = await spendTo(source, vout, key, [
      { satoshis: 0, lockingScript: data },
      { satoshis: 9_000, lockingScript: p2pkh() },
    ])
    const res = await postRaw(tx.toHex())
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ txid: tx.id('hex'), txStatus: 'SEEN_ON_NETWORK' })
  })

  it('random bytes as rawTx are never a 5xx and never change the ledger', async () => {
    const before = ledgerState()
    // Plain garbage, and garbage behind the magic of each format, so every parser sees it.
    const prefixes = [
      '',
      '01000000',
      '010000000000000000ef',
      '0100beef',
      '0200beef',
      `01010101${'00'.repeat(32)}`,
    ]
    const rawTx = fc
      .tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 300 }))
      .map(([prefix, bytes]) => prefix + bytesToHex(bytes))
    await fc.assert(
      fc.asyncProperty(rawTx, async (hex) => {
        const res = await postRaw(hex)
        expect(res.status).toBeGreaterThanOrEqual(400)
        expect(res.status).toBeLessThan(500)
        expect(ledgerState()).toEqual(before)
      }),
      { numRuns: 100 },
    )
  })
})

describe('ARC submissions', () => {
  it('resubmitting an accepted transaction is answered 200 again and adds nothing', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    expect((await postRaw(tx.toHex())).status).toBe(200)
    const before = ledgerState()
    const again = await postRaw(tx.toHex())
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ txid: tx.id('hex'), txStatus: 'SEEN_ON_NETWORK' })
    expect(ledgerState()).toEqual(before)
  })

  it('hex text and octet-stream bodies are accepted', async () => {
    const a = await fundedKey(net.urls)
    const asText = await spend(a.source, a.vout, a.key)
    const text = await postTx(asText.toHex(), 'text/plain')
    expect(text.status).toBe(200)
    expect(text.body['txid']).toBe(asText.id('hex'))

    const b = await fundedKey(net.urls)
    const asBytes = await spend(b.source, b.vout, b.key)
    const octets = await postTx(Uint8Array.from(asBytes.toBinary()), 'application/octet-stream')
    expect(octets.status).toBe(200)
    expect(octets.body['txid']).toBe(asBytes.id('hex'))
  })

  it('Extended Format and BEEF submissions are accepted under the plain txid', async () => {
    const a = await fundedKey(net.urls)
    const ef = await spend(a.source, a.vout, a.key)
    const efRes = await postRaw(ef.toHexEF())
    expect(efRes.status).toBe(200)
    expect(efRes.body).toMatchObject({ txid: ef.id('hex'), txStatus: 'SEEN_ON_NETWORK' })

    const b = await fundedKey(net.urls)
    const beef = await spend(b.source, b.vout, b.key)
    const beefRes = await postRaw(beef.toHexBEEF())
    expect(beefRes.status).toBe(200)
    expect(beefRes.body).toMatchObject({ txid: beef.id('hex'), txStatus: 'SEEN_ON_NETWORK' })
  })

  it('a BEEF whose merkle path was tampered with is refused 468 or 469', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    const beef = Beef.fromString(tx.toHexBEEF(), 'hex')
    const sibling = beef.bumps[0]!.path[0]!.find((leaf) => leaf.hash !== source.id('hex'))!
    sibling.hash = bytesToHex(randomBytes(32))
    const before = ledgerState()
    const res = await postRaw(beef.toHex())
    expect([468, 469]).toContain(res.status)
    expect(res.body).toMatchObject({ status: res.status, txid: tx.id('hex') })
    expect(ledgerState()).toEqual(before)
    expect(await getStatus(tx.id('hex'))).toBe(404)
  })

  it('a BEEF carrying an unconfirmed parent admits parent and child together', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const parent = await spend(source, vout, key, { pay: 20_000 })
    const child = await spend(parent, 1, key, { pay: 5_000 })
    const res = await postRaw(child.toHexBEEF())
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ txid: child.id('hex'), txStatus: 'SEEN_ON_NETWORK' })
    expect(await getStatus(parent.id('hex'))).toBe(200)
  })

  it('a BEEF whose subject is refused leaves its valid unconfirmed parent out of the ledger too', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const parent = await spend(source, vout, key, { pay: 20_000 })
    const child = await spend(parent, 1, key, { pay: 5_000 })
    const script = child.inputs[0]!.unlockingScript!.toBinary()
    script[10] = script[10]! ^ 0x01
    const forged = withUnlocking(child, UnlockingScript.fromBinary(script))
    forged.inputs[0]!.sourceTransaction = parent
    const before = ledgerState()
    const res = await postRaw(forged.toHexBEEF())
    expect(res.status).toBe(461)
    expect(res.body).toMatchObject({ status: 461, txid: forged.id('hex') })
    expect(ledgerState()).toEqual(before)
    expect(await getStatus(parent.id('hex'))).toBe(404)
  })

  it('/v1/txs answers each transaction of a JSON array on its own', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    const res = await fetch(`${net.urls.arc}/v1/txs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ rawTx: tx.toHex() }, { rawTx: 'deadbeef' }]),
    })
    expect(res.status).toBe(200)
    const results = (await res.json()) as Json[]
    expect(results).toHaveLength(2)
    expect(results[0]).toMatchObject({ status: 200, txid: tx.id('hex'), txStatus: 'SEEN_ON_NETWORK' })
    expect(results[1]).toMatchObject({ status: 463 })
    expect(await getStatus(tx.id('hex'))).toBe(200)
  })

  it('GET /v1/policy publishes the fee rate and limits the devnet enforces', async () => {
    const body = (await (await fetch(`${net.urls.arc}/v1/policy`)).json()) as Json
    expect(Date.parse(body['timestamp'] as string)).not.toBeNaN()
    expect(body['policy']).toEqual({
      maxscriptsizepolicy: net.devnet.policy.maxScriptSize,
      maxtxsigopscountspolicy: net.devnet.policy.maxSigOps,
      maxtxsizepolicy: net.devnet.policy.maxTxSize,
      miningFee: { satoshis: 1, bytes: 1000 },
      standardFormatSupported: true,
    })
  })

  it('GET /v1/health reports healthy', async () => {
    const res = await fetch(`${net.urls.arc}/v1/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ healthy: true })
  })
})
