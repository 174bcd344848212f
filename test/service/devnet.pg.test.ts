/**
 * The devnet on PostgreSQL: the same ledger, callbacks and restart behaviour as on SQLite, with
 * amounts and counts read back through `pg`. Each file's schemas are dropped at the end.
 */
import { ARC, BlockHeadersService, MerklePath } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.ts'
import { startCallbackReceiver, until } from '../support/callback-receiver.ts'
import { fundedKey, type RunningDevnet, spend, startDevnet } from '../support/devnet.ts'
import { dropPgTestSchemas, openPgTestStore, pgTestSchema, pgUrl } from '../support/services.ts'

const url = pgUrl()

describe.skipIf(url === undefined)('devnet on PostgreSQL', () => {
  const schema = pgTestSchema()
  let net: RunningDevnet

  beforeAll(async () => {
    net = await startDevnet({ store: await openPgTestStore(url as string, schema) })
  })
  afterAll(async () => {
    await net?.close()
    await dropPgTestSchemas(url as string)
  })

  it('a faucet coin spent through the SDK ARC broadcaster is mined, called back and its merklePath verifies', async () => {
    const receiver = await startCallbackReceiver()
    const { key, source, vout } = await fundedKey(net.urls, 50_000)
    const tx = await spend(source, vout, key)
    const arc = new ARC(net.urls.arc, { callbackUrl: receiver.url, callbackToken: 'secret' })
    expect(await arc.broadcast(tx)).toMatchObject({ status: 'success', txid: tx.id('hex') })

    await net.devnet.ledger.mine(1)
    const state = await net.devnet.ledger.status(tx.id('hex'))
    expect(state).toMatchObject({ status: 'MINED', block: { height: net.devnet.ledger.tip.height } })
    const tracker = new BlockHeadersService(net.urls.headers)
    const path = await net.devnet.ledger.merklePath(tx.id('hex'))
    expect(await path!.verify(tx.id('hex'), tracker)).toBe(true)

    await until(() => receiver.delivered.length > 0)
    const callbackPath = MerklePath.fromHex(receiver.delivered[0]!['merklePath'] as string)
    expect(await callbackPath.verify(tx.id('hex'), tracker)).toBe(true)
    await until(async () => (await net.devnet.callbacks.pending()) === 0)
    expect(receiver.delivered).toHaveLength(1)
    await receiver.close()
  })

  it('a double spend is refused with 466 and leaves the ledger as it was', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 50_000)
    const arc = new ARC(net.urls.arc)
    const first = await spend(source, vout, key)
    expect((await arc.broadcast(first)).status).toBe('success')
    const before = net.devnet.ledger.audit()
    const second = await arc.broadcast(await spend(source, vout, key))
    expect(second).toMatchObject({ status: 'error', code: '466', more: { competingTxs: [first.id('hex')] } })
    expect(net.devnet.ledger.audit()).toEqual(before)
    expect(before.unspent + before.mempoolFees).toBe(before.issued)
  })

  it('a restart on the same schema keeps chain and mempool, and the mempool grows on from it', async () => {
    const { key, source, vout } = await fundedKey(net.urls, 50_000)
    const pending = await spend(source, vout, key)
    expect((await new ARC(net.urls.arc).broadcast(pending)).status).toBe('success')
    const tip = net.devnet.ledger.tip
    const mempool = net.devnet.ledger.mempoolSize
    const audit = net.devnet.ledger.audit()

    await net.close()
    net = await startDevnet({ store: await openStore(url as string, { schema }) })

    expect(net.devnet.ledger.tip).toMatchObject({ height: tip.height, hash: tip.hash })
    expect(net.devnet.ledger.mempoolSize).toBe(mempool)
    expect(net.devnet.ledger.audit()).toEqual(audit)
    expect(await net.devnet.ledger.status(pending.id('hex'))).toMatchObject({ status: 'SEEN_ON_NETWORK' })

    // A child of the unconfirmed parent, accepted after the restart, is mined with it, parent first.
    const child = await spend(pending, 1, key)
    expect(await net.devnet.ledger.accept(child)).toMatchObject({ kind: 'accepted', fresh: true })
    const mined = await net.devnet.ledger.mine(1)
    expect(mined.height).toBe(tip.height + 1)
    const parent = await net.devnet.ledger.status(pending.id('hex'))
    const kid = await net.devnet.ledger.status(child.id('hex'))
    expect(parent).toMatchObject({ status: 'MINED', block: { height: mined.height } })
    expect(kid).toMatchObject({ status: 'MINED', block: { height: mined.height } })
    expect(kid!.block!.index).toBeGreaterThan(parent!.block!.index)
    expect(net.devnet.ledger.mempoolSize).toBe(0)
  })
})
