/** Helpers of the wallet tests: a wallet on a fresh SQLite file, invoices from a running shop. */

import { openStore } from '../../src/store/index.ts'
import { Wallet } from '../../src/wallet/index.ts'
import { tempDb } from '../support/devnet.ts'
import { admin, type RunningShop } from '../support/merchant.ts'

/** A new wallet on its own store; `close` closes the store. */
export async function openWallet(): Promise<Wallet & { close(): Promise<void> }> {
  const store = await openStore(tempDb('wallet'))
  const wallet = await Wallet.open({ store })
  return Object.assign(wallet, { close: () => store.close() })
}

/** An invoice created through the admin API. */
export interface TestInvoice {
  id: string
  bitcoinUri: string
  payUri: string
  paymentUrl: string
}

export async function createInvoice(
  shop: RunningShop,
  satoshis: number,
  description = 'coffee',
): Promise<TestInvoice> {
  const res = await admin(shop, 'POST', '/api/v1/invoices', { satoshis, description })
  if (res.status !== 201) throw new Error(`invoice: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as unknown as TestInvoice
}

/** The invoice as the admin API shows it. */
export async function invoiceState(shop: RunningShop, id: string): Promise<Record<string, unknown>> {
  return (await admin(shop, 'GET', `/api/v1/invoices/${id}`)).body
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`not within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
