/** Starts a devnet on a fresh SQLite file (or a given store), listening on a free loopback port. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { P2PKH, PrivateKey, Transaction } from '@bsv/sdk'
import { Devnet, type DevnetOptions, type DevnetUrls } from '../../src/devnet/index.ts'
import { openStore, type Store } from '../../src/store/index.ts'

export interface RunningDevnet {
  devnet: Devnet
  urls: DevnetUrls
  store: Store
  file: string
  close(): Promise<void>
}

/** A temp file path for a SQLite store. */
export function tempDb(name = 'devnet'): string {
  return join(mkdtempSync(join(tmpdir(), 'paylink-')), `${name}.db`)
}

export async function startDevnet(
  opts: Partial<Omit<DevnetOptions, 'store'>> & { file?: string; store?: Store } = {},
): Promise<RunningDevnet> {
  const file = opts.file ?? tempDb()
  const store = opts.store ?? (await openStore(file))
  const devnet = await Devnet.open({ callbacks: { retryBaseMs: 50, pollMs: 25 }, ...opts, store })
  const urls = await devnet.listen(0)
  return {
    devnet,
    urls,
    store,
    file,
    async close() {
      await devnet.close()
      await store.close()
    },
  }
}

/** A funded key: a faucet output of `satoshis` to a fresh key, with its source transaction. */
export async function fundedKey(urls: DevnetUrls, satoshis = 100_000) {
  const key = PrivateKey.fromRandom()
  const res = await fetch(urls.faucet, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address: key.toAddress(), satoshis }),
  })
  if (!res.ok) throw new Error(`faucet: ${res.status} ${await res.text()}`)
  const body = (await res.json()) as {
    txid: string
    vout: number
    satoshis: number
    rawTx: string
    beef: string
  }
  return { key, ...body, source: Transaction.fromHexBEEF(body.beef) }
}

/** A signed 1-input P2PKH payment spending `vout` of `source`, paying `pay` to a fresh key and change back. */
export async function spend(
  source: Transaction,
  vout: number,
  key: PrivateKey,
  opts: { pay?: number; fee?: number; to?: string } = {},
): Promise<Transaction> {
  const tx = new Transaction()
  tx.addInput({
    sourceTransaction: source,
    sourceOutputIndex: vout,
    unlockingScriptTemplate: new P2PKH().unlock(key),
  })
  const available = source.outputs[vout]!.satoshis!
  const fee = opts.fee ?? 200
  const pay = opts.pay ?? Math.floor((available - fee) / 2)
  tx.addOutput({
    satoshis: pay,
    lockingScript: new P2PKH().lock(opts.to ?? PrivateKey.fromRandom().toAddress()),
  })
  if (available - pay - fee > 0)
    tx.addOutput({ satoshis: available - pay - fee, lockingScript: new P2PKH().lock(key.toAddress()) })
  await tx.sign()
  return tx
}
