/**
 * A restart keeps chain, mempool, UTXO state and pending callbacks (issue 2, "What it must show").
 * One devnet is run on a SQLite file, left with a mined transaction whose MINED callback the
 * receiver refuses and an unconfirmed one, closed, and reopened from the same file.
 */
import { BlockHeadersService, MerklePath, type Transaction } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CallbackReceiver, startCallbackReceiver, until } from '../support/callback-receiver.ts'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'

async function broadcast(net: RunningDevnet, tx: Transaction, headers: Record<string, string> = {}) {
  const res = await fetch(`${net.urls.arc}/v1/tx`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ rawTx: tx.toHex() }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function txStatus(net: RunningDevnet, txid: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${net.urls.arc}/v1/tx/${txid}`)).json()) as Record<string, unknown>
}

type Funded = Awaited<ReturnType<typeof fundedKey>>

let net: RunningDevnet
let receiver: CallbackReceiver
let tipBefore: { height: number; hash: string }
/** Spent by `minedTx` before the restart. */
let minedCoin: Funded
let minedTx: Transaction
/** Spent by `pendingTx`, still unconfirmed at the restart. */
let pendingCoin: Funded
let pendingTx: Transaction

beforeAll(async () => {
  receiver = await startCallbackReceiver({ up: false })
  net = await startDevnet()
  minedCoin = await fundedKey(net.urls, 50_000)
  pendingCoin = await fundedKey(net.urls, 50_000)

  minedTx = await spend(minedCoin.source, minedCoin.vout, minedCoin.key)
  const sent = await broadcast(net, minedTx, { 'X-CallbackUrl': receiver.url, 'X-CallbackToken': 'secret' })
  expect(sent.status).toBe(200)
  await net.devnet.ledger.mine(1)
  // The receiver is down: the MINED callback is refused, and stays queued for a retry.
  await until(() => receiver.refused >= 2)
  expect(await net.devnet.callbacks.pending()).toBe(1)

  pendingTx = await spend(pendingCoin.source, pendingCoin.vout, pendingCoin.key)
  expect((await broadcast(net, pendingTx)).status).toBe(200)
  tipBefore = net.devnet.ledger.tip

  await net.close()
  receiver.up = true
  net = await startDevnet({ file: net.file })
})

afterAll(async () => {
  await net.close()
  await receiver.close()
})

describe('a devnet restarted from the same file', () => {
  it('keeps the chain: same tip height and hash, served by the headers API', async () => {
    expect(net.devnet.ledger.tip.height).toBe(tipBefore.height)
    expect(net.devnet.ledger.tip.hash).toBe(tipBefore.hash)
    expect(await new BlockHeadersService(net.urls.headers).currentHeight()).toBe(tipBefore.height)
  })

  it('delivers the MINED callback queued before the restart, once, with a merkle path that verifies', async () => {
    await until(() => receiver.delivered.length > 0)
    const [callback] = receiver.delivered
    expect(callback).toMatchObject({ txid: minedTx.id('hex'), txStatus: 'MINED' })
    const path = MerklePath.fromHex(callback!['merklePath'] as string)
    expect(await path.verify(minedTx.id('hex'), new BlockHeadersService(net.urls.headers))).toBe(true)
    await until(async () => (await net.devnet.callbacks.pending()) === 0)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(receiver.delivered).toHaveLength(1)
  })

  it('refuses coins spent before the restart: 466 against the mempool, 462 once mined', async () => {
    const conflict = await broadcast(net, await spend(pendingCoin.source, pendingCoin.vout, pendingCoin.key))
    expect(conflict.status).toBe(466)
    expect(conflict.body['competingTxs']).toEqual([pendingTx.id('hex')])
    const gone = await broadcast(net, await spend(minedCoin.source, minedCoin.vout, minedCoin.key))
    expect(gone.status).toBe(462)
  })

  // Last: it mines the mempool, which the conflict case above relies on.
  it('keeps the mempool: the unconfirmed tx is SEEN_ON_NETWORK and the next /devnet/mine mines it', async () => {
    expect(net.devnet.ledger.mempoolSize).toBe(1)
    expect(await txStatus(net, pendingTx.id('hex'))).toMatchObject({ txStatus: 'SEEN_ON_NETWORK' })
    const mined = await fetch(`${net.urls.base}/devnet/mine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"blocks":1}',
    })
    expect(await mined.json()).toMatchObject({ height: tipBefore.height + 1 })
    const status = await txStatus(net, pendingTx.id('hex'))
    expect(status).toMatchObject({ txStatus: 'MINED', blockHeight: tipBefore.height + 1 })
    const path = MerklePath.fromHex(status['merklePath'] as string)
    expect(await path.verify(pendingTx.id('hex'), new BlockHeadersService(net.urls.headers))).toBe(true)
  })
})
