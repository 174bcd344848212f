/** `paylink wallet` as a user runs it, against a devnet and a merchant started by the test. */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.ts'
import { Wallet } from '../../src/wallet/index.ts'
import { type RunningShop, startShop } from '../support/merchant.ts'
import { PAYLINK_BIN, runPaylink } from '../support/process.ts'
import { createInvoice, invoiceState } from './wallet-support.ts'

let shop: RunningShop
let dir: string

beforeAll(async () => {
  shop = await startShop()
  dir = mkdtempSync(join(tmpdir(), 'paylink-wallet-'))
})
afterAll(() => shop.close())

const wallet = (...args: string[]) => runPaylink(['wallet', ...args, '--dir', dir])

/** Runs `paylink wallet …` with `input` written to its stdin. */
function withInput(input: string, ...args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PAYLINK_BIN, 'wallet', ...args, '--dir', dir])
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.on('close', (code) => resolve({ code, stdout }))
    child.stdin.end(input)
  })
}

// Each run of the CLI costs seconds of start-up (tsx), so runs that do not depend on each other
// go in parallel and the history is read from the wallet's store directly.
describe('paylink wallet', () => {
  it('init creates the wallet once; fund and balance show the faucet coin; --help explains pay', async () => {
    const [init, help] = await Promise.all([wallet('init'), runPaylink(['wallet', 'pay', '--help'])])
    expect(init.code).toBe(0)
    expect(init.stdout).toMatch(/wallet created: .*wallet\.db \(regtest\)\n {2}address {2}[mn]\w{25,34}\n/)
    for (const flag of [
      '--yes',
      '--max-auto',
      '--allow-insecure',
      '--bip270',
      '--proof-callback',
      '--dir',
      '--db',
    ]) {
      expect(help.stdout).toContain(flag)
    }

    const [again, fund] = await Promise.all([
      wallet('init'),
      wallet('fund', '--devnet', shop.net.urls.base, '--satoshis', '50000'),
    ])
    expect(again.stdout).toMatch(/wallet already exists/)
    expect(fund.stdout).toMatch(/^funded 50000 satoshis to [mn]\w+\n {2}outpoint [0-9a-f]{64}:0\n$/)
    const balance = await wallet('balance', '--json')
    expect(JSON.parse(balance.stdout)).toEqual({ available: 50_000, reserved: 0, unconfirmed: 0, coins: 1 })
  })

  it('pay --yes pays; "Pay? [y/N]" answered no pays nothing; a refused request exits 1', async () => {
    const [croissant, tea, cancelled] = await Promise.all([
      createInvoice(shop, 3000, 'croissant'),
      createInvoice(shop, 2000, 'tea'),
      createInvoice(shop, 1000),
    ])
    await fetch(`${shop.base}/api/v1/invoices/${cancelled.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${shop.apiKey}` },
    })
    const [paid, declined, refused] = await Promise.all([
      wallet('pay', croissant.bitcoinUri, '--yes'),
      withInput('n\n', 'pay', tea.bitcoinUri),
      wallet('pay', cancelled.bitcoinUri, '--yes'),
    ])
    expect(paid.code).toBe(0)
    expect(paid.stdout).toMatch(/merchant +127\.0\.0\.1:\d+\n/)
    expect(paid.stdout).toMatch(/memo +croissant\n/)
    expect(paid.stdout).toMatch(/amount +3000 satoshis\n/)
    expect(paid.stdout).toMatch(/expires +\d{4}-\d\d-\d\dT/)
    const txid = /paid ([0-9a-f]{64})/.exec(paid.stdout)?.[1]
    expect(txid).toBeDefined()
    expect(await invoiceState(shop, croissant.id)).toMatchObject({ state: 'paid', payment: { txid } })

    expect(declined.stdout).toMatch(/memo +tea\n[\s\S]*Pay\? \[y\/N\] not paid\n$/)
    expect(declined.code).toBe(1)
    expect(await invoiceState(shop, tea.id)).toMatchObject({ state: 'pending' })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/cancelled.*\(PL2008\)/)
  })

  it('"Pay? [y/N]" answered yes pays; --max-auto pays a small amount unasked (BIP270 here)', async () => {
    const [tea, sugar] = await Promise.all([
      createInvoice(shop, 2000, 'tea'),
      createInvoice(shop, 1000, 'sugar'),
    ])
    const accepted = await withInput('y\n', 'pay', tea.bitcoinUri)
    expect(accepted.code).toBe(0)
    expect(accepted.stdout).toMatch(/Pay\? \[y\/N\] paid [0-9a-f]{64}\n/)
    const auto = await wallet('pay', sugar.payUri, '--max-auto', '1000', '--bip270')
    expect(auto.code).toBe(0)
    expect(auto.stdout).not.toMatch(/Pay\?/)
    expect(auto.stdout).toMatch(/BIP270/)
    expect(await invoiceState(shop, sugar.id)).toMatchObject({ state: 'paid' })

    const store = await openStore(join(dir, 'wallet.db'))
    try {
      const history = await (await Wallet.open({ store, create: false })).history()
      expect(history.map((p) => [p.state, p.memo])).toEqual([
        ['acked', 'sugar'],
        ['acked', 'tea'],
        ['acked', 'croissant'],
      ])
    } finally {
      await store.close()
    }
  })
})
