/**
 * Issue 8: invoices of the relay models made on the point-of-sale page and paid from the
 * browser wallet page — model 2 over the relay's REST bridge (CORS), model 3 over a relay
 * channel joined from the browser — each followed live to paid and then proof received.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningDevnet, startDevnet } from '../support/devnet.ts'
import { API_KEY, type RunningShop, startShop } from '../support/merchant.ts'
import { startRelay, type TestRelay } from '../support/relay.ts'
import { chromiumPath, collectPageErrors, launch, type RunningBrowser, screenshot } from './browser.ts'
import { createOnPos, openFundedWallet, openPos, payFromWallet, posStatus } from './pages.ts'

const chromium = chromiumPath()
const RELAY_KEY = 'relay-merchant-key-for-the-browser-test'

describe.skipIf(chromium === undefined)('POS page and browser wallet, P4 through a relay', () => {
  let net: RunningDevnet
  let relay: TestRelay | undefined
  let shop: RunningShop
  let browser: RunningBrowser
  let pos: Page
  let wallet: Page
  const errors: string[] = []
  let relayUrl: string

  beforeAll(async () => {
    net = await startDevnet()
    relay = await startRelay(RELAY_KEY)
    relayUrl = relay.url
    shop = await startShop({
      net,
      devnetUrl: net.urls.base,
      relayUrl,
      relayKey: RELAY_KEY,
      relayRetryMs: 100,
    })
    browser = await launch(chromium as string)
    pos = await browser.context.newPage()
    wallet = await browser.context.newPage()
    collectPageErrors(errors, pos, wallet)
    await openPos(pos, shop.base, API_KEY)
    await openFundedWallet(wallet, shop.base, 200_000)
  })

  afterAll(async () => {
    await browser?.close()
    await shop?.close()
    await relay?.close()
    await net?.close()
  })

  async function mine(): Promise<{ height: number; hash: string }> {
    const res = await fetch(`${net.urls.base}/devnet/mine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blocks: 1 }),
    })
    return (await res.json()) as { height: number; hash: string }
  }

  // Model 2: the relay's REST bridge; model 3: a channel on the relay (its token in the URI).
  for (const [model, r] of [
    ['hybrid', () => `${relayUrl}/api/v1/payment/`],
    ['websocket', () => `${relayUrl.replace('http', 'ws')}/ws/`],
  ] as const) {
    it(`a ${model} invoice paid from the wallet page turns paid then proof received`, async () => {
      const memo = `tea (${model})`
      const uri = await createOnPos(pos, { kind: 'p4', amount: 3000, memo, model })
      expect(uri.startsWith(`bitcoin:?sv&r=${r()}`)).toBe(true)
      await posStatus(pos, 'waiting')
      const txid = await payFromWallet(wallet, uri, { memo, amount: 3000 }, `p4-${model}-0-wallet-confirm`)
      await posStatus(pos, 'paid')
      expect(await pos.textContent('#current-txid')).toBe(txid)
      await screenshot(pos, `p4-${model}-1-paid`)
      const tip = await mine()
      await posStatus(pos, 'proof received')
      expect(await pos.textContent('#current-block')).toBe(`${tip.height} ${tip.hash}`)
      await screenshot(pos, `p4-${model}-2-proof`)
      expect(errors).toEqual([])
    })
  }
})
