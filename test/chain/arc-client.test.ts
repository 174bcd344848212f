/**
 * The ARC client (protocols-p4.md §12.1, §8) against a real devnet: accepted, refused 461 →
 * `PL2010`, double spend 466 → `PL2011`, resubmission accepted, the policy's rate, a tx's status.
 */
import { PrivateKey } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArcClient } from '../../src/chain/arc-client.ts'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'

let net: RunningDevnet
let arc: ArcClient

beforeAll(async () => {
  net = await startDevnet()
  arc = new ArcClient(net.urls.arc)
})
afterAll(() => net.close())

describe('ArcClient against the devnet', () => {
  it('a valid payment is accepted, and accepted again when resubmitted', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    const accepted = { status: 'accepted', txid: tx.id('hex'), txStatus: 'SEEN_ON_NETWORK' }
    expect(await arc.broadcast(tx.toHex())).toEqual(accepted)
    expect(await arc.broadcast({ rawTx: tx.toHex() })).toEqual(accepted)
  })

  it('a BEEF body is accepted for its subject', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    expect(await arc.broadcast(tx.toHexBEEF())).toMatchObject({ status: 'accepted', txid: tx.id('hex') })
  })

  it('a signature by the wrong key is refused 461: rejected PL2010 with the memo', async () => {
    const { source, vout } = await fundedKey(net.urls)
    const forged = await spend(source, vout, PrivateKey.fromRandom())
    const result = await arc.broadcast(forged.toHex())
    expect(result).toMatchObject({ status: 'rejected', code: 'PL2010' })
    expect(result.status === 'rejected' && result.detail).toMatch(
      /^Malformed transaction: unlocking scripts: /,
    )
  })

  it('a double spend is refused 466: rejected PL2011 naming the first spend', async () => {
    const { key, source, vout } = await fundedKey(net.urls)
    const first = await spend(source, vout, key, { pay: 5_000 })
    const second = await spend(source, vout, key, { pay: 6_000 })
    expect(await arc.broadcast(first.toHex())).toMatchObject({ status: 'accepted' })
    expect(await arc.broadcast(second.toHex())).toMatchObject({
      status: 'rejected',
      code: 'PL2011',
      competingTxs: [first.id('hex')],
    })
  })

  it("the policy maps to the devnet's rate for standard and data bytes, with its limits", async () => {
    const fee = net.devnet.policy.fee
    expect(await arc.policy()).toMatchObject({
      standard: fee,
      data: fee,
      limits: { maxTxSize: net.devnet.policy.maxTxSize, maxScriptSize: net.devnet.policy.maxScriptSize },
    })
  })

  it('status: unknown is undefined; seen, then mined with a merkle path', async () => {
    expect(await arc.status('ab'.repeat(32))).toBeUndefined()
    const { key, source, vout } = await fundedKey(net.urls)
    const tx = await spend(source, vout, key)
    await arc.broadcast(tx.toHex())
    expect(await arc.status(tx.id('hex'))).toEqual({ txStatus: 'SEEN_ON_NETWORK', mined: false })
    const block = await net.devnet.ledger.mine(1)
    const mined = await arc.status(tx.id('hex'))
    expect(mined).toMatchObject({
      txStatus: 'MINED',
      mined: true,
      blockHash: block.hash,
      blockHeight: block.height,
    })
    expect(mined?.merklePath).toMatch(/^[0-9a-f]+$/)
  })
})
