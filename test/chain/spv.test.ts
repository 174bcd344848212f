/**
 * SPV (protocols-p4.md §9 "Verification order") against a real devnet's headers: payments built
 * on faucet outputs, whose BEEF carries the faucet block's merkle path.
 */
import { Beef, MerklePath, PrivateKey, type Transaction } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAncestry } from '../../src/chain/ancestry.ts'
import { HeadersClient } from '../../src/chain/headers-client.ts'
import { verifyAncestry } from '../../src/chain/spv.ts'
import { isPaylinkError } from '../../src/core/errors.ts'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'
import { closedPortUrl } from './canned-server.ts'

let net: RunningDevnet
let headers: HeadersClient

beforeAll(async () => {
  net = await startDevnet()
  headers = new HeadersClient(net.urls.headers)
})
afterAll(() => net.close())

const atomic = (tx: Transaction) => Uint8Array.from(tx.toAtomicBEEF())
const verify = (bytes: Uint8Array, tx: Transaction, via = headers) =>
  verifyAncestry(parseAncestry(bytes, tx.id('hex')), tx, via)

describe('SPV against the devnet', () => {
  it("a payment spending a faucet output verifies with the faucet's BEEF, giving its input satoshis", async () => {
    const { key, source, vout, satoshis } = await fundedKey(net.urls, 30_000)
    const payment = await spend(source, vout, key)
    expect(await verify(Uint8Array.from(payment.toBEEF()), payment)).toEqual({
      ok: true,
      inputSatoshis: satoshis,
    })
  })

  it('a chain of 2 unconfirmed txs over a mined one verifies', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 30_000)
    const next = PrivateKey.fromRandom()
    const first = await spend(source, vout, key, { to: next.toAddress() })
    const payment = await spend(first, 0, next)
    const result = await verify(atomic(payment), payment)
    expect(result).toEqual({ ok: true, inputSatoshis: first.outputs[0]!.satoshis })
  })

  it('a missing parent is PL3003', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 30_000)
    const next = PrivateKey.fromRandom()
    const first = await spend(source, vout, key, { to: next.toAddress() })
    const payment = await spend(first, 0, next)
    const beef = new Beef()
    beef.mergeRawTx(first.toBinary())
    beef.mergeRawTx(payment.toBinary())
    const result = await verify(beef.toUint8Array(), payment)
    expect(result).toMatchObject({ ok: false, code: 'PL3003' })
  })

  it('a tampered merkle path is PL3004', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 30_000)
    const path = source.merklePath!
    const tampered = path.path.map((level) =>
      level.map((leaf) =>
        leaf.txid === true || leaf.hash === undefined ? leaf : { ...leaf, hash: 'ab'.repeat(32) },
      ),
    )
    source.merklePath = new MerklePath(path.blockHeight, tampered)
    const payment = await spend(source, vout, key)
    expect(await verify(atomic(payment), payment)).toMatchObject({ ok: false, code: 'PL3004' })
  })

  it('headers service down is PL3005', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 30_000)
    const payment = await spend(source, vout, key)
    const down = new HeadersClient(await closedPortUrl())
    expect(await verify(atomic(payment), payment, down)).toMatchObject({ ok: false, code: 'PL3005' })
  })

  it('a bad script is PL3006', async () => {
    const { source, vout } = await fundedKey(net.urls, 30_000)
    const forged = await spend(source, vout, PrivateKey.fromRandom())
    expect(await verify(atomic(forged), forged)).toMatchObject({ ok: false, code: 'PL3006' })
  })

  it('an Atomic BEEF of another subject is PL3007', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 30_000)
    const next = PrivateKey.fromRandom()
    const first = await spend(source, vout, key, { to: next.toAddress() })
    const payment = await spend(first, 0, next)
    let code: string | undefined
    try {
      parseAncestry(atomic(first), payment.id('hex'))
    } catch (err) {
      code = isPaylinkError(err) ? err.code : String(err)
    }
    expect(code).toBe('PL3007')
    expect(await verifyAncestry(parseAncestry(atomic(first)), payment, headers)).toMatchObject({
      ok: false,
      code: 'PL3007',
    })
  })
})
