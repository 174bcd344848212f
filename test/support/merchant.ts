/** Starts a devnet and a merchant on it (fresh SQLite files), both listening on loopback. */
import { P2PKH, type PrivateKey, Script, Transaction } from '@bsv/sdk'
import { Merchant, type MerchantOptions } from '../../src/merchant/merchant.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { fundedKey, type RunningDevnet, startDevnet, tempDb } from './devnet.ts'
import { freePort } from './ports.ts'

export interface RunningShop {
  net: RunningDevnet
  merchant: Merchant
  store: Store
  base: string
  apiKey: string
  close(): Promise<void>
}

export const API_KEY = 'test-api-key-0123456789'

export async function startShop(
  opts: Partial<MerchantOptions> & { net?: RunningDevnet; scheme?: 'http' | 'https' } = {},
): Promise<RunningShop> {
  const net = opts.net ?? (await startDevnet())
  const store = opts.store ?? (await openStore(tempDb('merchant')))
  const port = await freePort()
  const base = `${opts.scheme ?? 'http'}://127.0.0.1:${port}`
  const merchant = await Merchant.open({
    broadcasterUrl: opts.broadcasterApi === 'mapi' ? net.urls.mapi : net.urls.arc,
    headersUrl: net.urls.headers,
    apiKey: API_KEY,
    allowInsecure: true,
    publicUrl: base,
    ...withoutShopOptions(opts),
    store,
  })
  await merchant.listen(port)
  return {
    net,
    merchant,
    store,
    base,
    apiKey: API_KEY,
    async close() {
      await merchant.close()
      await store.close()
      if (opts.net === undefined) await net.close()
    },
  }
}

/** Calls the admin API. */
export async function admin(shop: RunningShop, method: string, path: string, body?: unknown) {
  const res = await fetch(`${shop.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${shop.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    body: (await res.json()) as Record<string, unknown>,
  }
}

/** A funded customer: one faucet coin of `satoshis`. */
export async function customer(shop: RunningShop, satoshis = 100_000) {
  return fundedKey(shop.net.urls, satoshis)
}

/** A signed transaction paying `outputs` from a faucet coin, change back to `key`, fee `fee`. */
export async function payTx(
  coin: { source: Transaction; vout: number; key: PrivateKey },
  outputs: { script: string; amount: number }[],
  fee = 200,
): Promise<Transaction> {
  const tx = new Transaction()
  tx.addInput({
    sourceTransaction: coin.source,
    sourceOutputIndex: coin.vout,
    unlockingScriptTemplate: new P2PKH().unlock(coin.key),
  })
  let total = 0
  for (const o of outputs) {
    tx.addOutput({ satoshis: o.amount, lockingScript: Script.fromHex(o.script) })
    total += o.amount
  }
  const change = coin.source.outputs[coin.vout]!.satoshis! - total - fee
  if (change > 0) tx.addOutput({ satoshis: change, lockingScript: new P2PKH().lock(coin.key.toAddress()) })
  await tx.sign()
  return tx
}

function withoutShopOptions(
  opts: Partial<MerchantOptions> & { net?: RunningDevnet; scheme?: string },
): Partial<MerchantOptions> {
  const { net: _net, scheme: _scheme, ...rest } = opts
  return rest
}
