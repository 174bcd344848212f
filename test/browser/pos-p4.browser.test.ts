/**
 * Issue 8: a P4 invoice made on the point-of-sale page and paid from the browser wallet page;
 * the POS page follows it live — waiting → paid → proof received once a block is mined.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningDevnet, startDevnet } from '../support/devnet.ts'
import { API_KEY, type RunningShop, startShop } from '../support/merchant.ts'
import { chromiumPath, collectPageErrors, launch, type RunningBrowser, screenshot } from './browser.ts'
import { createOnPos, openFundedWallet, openPos, payFromWallet, posStatus, textIs } from './pages.ts'

const chromium = chromiumPath()

describe.skipIf(chromium === undefined)('POS page and browser wallet, P4 basic REST', () => {
  let net: RunningDevnet
  let shop: RunningShop
  let browser: RunningBrowser
  let pos: Page
  let wallet: Page
  const errors: string[] = []

  beforeAll(async () => {
    net = await startDevnet()
    shop = await startShop({ net, devnetUrl: net.urls.base })
    browser = await launch(chromium as string)
    pos = await browser.context.newPage()
    wallet = await browser.context.newPage()
    collectPageErrors(errors, pos, wallet)
  })

  afterAll(async () => {
    await browser?.close()
    await shop?.close()
    await net?.close()
  })

  it('a wrong admin key is refused and the page asks for the key; the right one typed in signs in', async () => {
    // A tab of its own: the key is kept per tab.
    const tab = await browser.context.newPage()
    collectPageErrors(errors, tab)
    await tab.goto(`${shop.base}/pos#key=not-the-key`)
    await tab.locator('#sign-in').waitFor({ state: 'visible' })
    await textIs(tab, '#connection', 'the key was refused: sign in again')
    expect(await tab.isHidden('#new')).toBe(true)
    await screenshot(tab, 'p4-rest-0-wrong-key')
    await tab.fill('#api-key', API_KEY)
    await tab.keyboard.press('Enter')
    await tab.locator('#new').waitFor({ state: 'visible' })
    await textIs(tab, '#connection', 'live')
    await tab.close()
  })

  it('an invoice made on the POS page, paid from the wallet page, turns paid then proof received', async () => {
    await openPos(pos, shop.base, API_KEY)
    const uri = await createOnPos(pos, { kind: 'p4', amount: 5000, memo: 'a coffee', model: 'rest' })
    expect(uri).toMatch(/^bitcoin:\?sv&r=http:\/\/127\.0\.0\.1:\d+\/api\/v1\/payment\//)
    await posStatus(pos, 'waiting')
    await screenshot(pos, 'p4-rest-1-invoice')

    await openFundedWallet(wallet, shop.base, 100_000)
    const txid = await payFromWallet(
      wallet,
      uri,
      { memo: 'a coffee', amount: 5000 },
      'p4-rest-2-wallet-confirm',
    )
    await screenshot(wallet, 'p4-rest-3-wallet-paid')
    expect(txid).toMatch(/^[0-9a-f]{64}$/)

    await posStatus(pos, 'paid')
    expect(await pos.textContent('#current-txid')).toBe(txid)
    await screenshot(pos, 'p4-rest-4-paid')

    const mined = await fetch(`${net.urls.base}/devnet/mine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blocks: 1 }),
    })
    const tip = (await mined.json()) as { height: number; hash: string }
    await posStatus(pos, 'proof received')
    expect(await pos.textContent('#current-block')).toBe(`${tip.height} ${tip.hash}`)
    await expect.poll(() => pos.textContent('#recent-rows tr td[data-status]')).toBe('proof received')
    await screenshot(pos, 'p4-rest-5-proof')
    expect(errors).toEqual([])
  })
})
