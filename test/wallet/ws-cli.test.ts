/**
 * `paylink wallet pay` with a model-3 URI (`bitcoin:?sv&r=ws://127.0.0.1…/ws/{id}?token%3D…`):
 * the CLI joins the relay channel, shows the request, pays on the channel, and exits 0.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RelayShop, startRelayShop } from '../support/fake-relay.ts'
import { runPaylink } from '../support/process.ts'

let shop: RelayShop
let dir: string

beforeAll(async () => {
  shop = await startRelayShop()
  dir = mkdtempSync(join(tmpdir(), 'paylink-wallet-ws-'))
}, 30_000)
afterAll(() => shop.close())

const wallet = (...args: string[]) => runPaylink(['wallet', ...args, '--dir', dir])

describe('paylink wallet pay over a relay channel', () => {
  it('pays a ws:// loopback URI with --yes; a cancelled one exits 1 with PL2008', async () => {
    await wallet('init')
    const fund = await wallet('fund', '--devnet', shop.net.urls.base, '--satoshis', '20000')
    expect(fund.code).toBe(0)
    const invoice = await shop.merchant.invoices.create({ satoshis: 4000, description: 'ws cli' })
    const cancelled = await shop.merchant.invoices.create({ satoshis: 1000, description: 'no' })
    await shop.merchant.invoices.cancel(cancelled.id)
    const [paid, refused] = await Promise.all([
      wallet('pay', invoice.bitcoinUri, '--yes'),
      wallet('pay', cancelled.bitcoinUri, '--yes'),
    ])
    expect(paid.stdout).toMatch(/memo +ws cli\n/)
    expect(paid.code).toBe(0)
    const txid = /paid ([0-9a-f]{64})/.exec(paid.stdout)?.[1]
    expect(await shop.merchant.invoices.get(invoice.id)).toMatchObject({ state: 'paid', payment: { txid } })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/PL2008/)
  }, 60_000)
})
