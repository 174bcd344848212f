/**
 * `@bsv/sdk`'s own ARC broadcaster and BlockHeadersService chain tracker work against the devnet
 * unchanged (issue: "What it must show", first point).
 */
import { ARC, Beef, BlockHeadersService, MerklePath, Transaction } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'

let net: RunningDevnet

beforeAll(async () => {
  net = await startDevnet()
})
afterAll(() => net.close())

describe('@bsv/sdk against the devnet', () => {
  it("faucet BEEF passes Beef.verify with the devnet's headers", async () => {
    const { beef, txid } = await fundedKey(net.urls, 50_000)
    const tracker = new BlockHeadersService(net.urls.headers)
    const parsed = Beef.fromString(beef, 'hex')
    expect(await parsed.verify(tracker, false)).toBe(true)
    expect(parsed.findTxid(txid)?.hasProof).toBe(true)
  })

  it('a transaction built from a faucet output broadcasts, is mined, and its merklePath verifies', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 50_000)
    const tx = await spend(source, vout, key)
    const arc = new ARC(net.urls.arc)
    const result = await arc.broadcast(tx)
    expect(result.status).toBe('success')
    if (result.status !== 'success') return
    expect(result.txid).toBe(tx.id('hex'))

    const mined = await fetch(`${net.urls.base}/devnet/mine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"blocks":1}',
    })
    expect(mined.status).toBe(200)
    const status = (await (await fetch(`${net.urls.arc}/v1/tx/${tx.id('hex')}`)).json()) as Record<
      string,
      unknown
    >
    expect(status['txStatus']).toBe('MINED')
    const path = MerklePath.fromHex(status['merklePath'] as string)
    const tracker = new BlockHeadersService(net.urls.headers)
    expect(await path.verify(tx.id('hex'), tracker)).toBe(true)
    expect(await tracker.currentHeight()).toBe(status['blockHeight'])

    // The SDK's own SPV check of the whole payment: the mined tx with its path.
    const proven = Transaction.fromHex(tx.toHex())
    proven.merklePath = path
    expect(await proven.verify(tracker)).toBe(true)
  })

  it('a chain of unconfirmed spends is accepted, and the child verifies by SPV through its parent', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 80_000)
    const parent = await spend(source, vout, key, { pay: 30_000 })
    const child = await spend(parent, 1, key, { pay: 10_000 })
    const arc = new ARC(net.urls.arc)
    expect((await arc.broadcast(parent)).status).toBe('success')
    // The child goes in as EF (its source transaction is attached), spending an unconfirmed output.
    expect((await arc.broadcast(child)).status).toBe('success')
    expect(await child.verify(new BlockHeadersService(net.urls.headers))).toBe(true)
  })
})
