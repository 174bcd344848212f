/** What the browser tests do on the point-of-sale and wallet pages, as a user would. */
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { screenshot } from './browser.ts'

/** Opens the POS page signed in with `apiKey` (the `#key=` link `paylink up` prints). */
export async function openPos(page: Page, base: string, apiKey: string): Promise<void> {
  await page.goto(`${base}/pos#key=${encodeURIComponent(apiKey)}`)
  await page.locator('#new').waitFor({ state: 'visible' })
  // The key left the address bar once it was kept in the tab.
  expect(page.url()).toBe(`${base}/pos`)
}

/** Creates a P4 invoice or an Amiko request on the POS page and answers the URI it shows. */
export async function createOnPos(
  page: Page,
  o: { kind: 'p4' | 'amiko'; amount: number; memo: string; model?: 'rest' | 'hybrid' | 'websocket' },
): Promise<string> {
  await page.check(`input[name="kind"][value="${o.kind}"]`)
  await page.fill('#amount', String(o.amount))
  await page.fill('#memo', o.memo)
  if (o.model !== undefined) await page.selectOption('#model', o.model)
  const before = await page.inputValue('#current-uri')
  await page.click('#new-form button[type="submit"]')
  await page.locator('#current').waitFor({ state: 'visible' })
  await until(async () => ![before, ''].includes(await page.inputValue('#current-uri')))
  return page.inputValue('#current-uri')
}

/** Waits until the current payment's status on the POS page is `status`. */
export async function posStatus(page: Page, status: string): Promise<void> {
  await page.locator(`#current-status[data-status="${status}"]`).waitFor({ timeout: 60_000 })
}

/** Opens the wallet page and funds it with `satoshis` from the devnet faucet. */
export async function openFundedWallet(page: Page, base: string, satoshis: number): Promise<void> {
  await page.goto(`${base}/wallet`)
  await page.locator('body[data-ready="true"]').waitFor()
  await page.fill('#fund-amount', String(satoshis))
  await page.click('#fund')
  await textIs(page, '#balance', `${satoshis.toLocaleString('en')} sat`)
}

/** Pastes `uri` into the wallet, checks what it shows, confirms, and waits for the ACK. */
export async function payFromWallet(
  page: Page,
  uri: string,
  shown: { memo: string; amount: number },
  screenshotName?: string,
): Promise<string> {
  await page.fill('#uri', uri)
  await page.click('#fetch')
  await page.locator('#offer').waitFor({ state: 'visible', timeout: 30_000 })
  expect(await page.textContent('#offer-memo')).toBe(shown.memo)
  expect(await page.textContent('#offer-amount')).toBe(`${shown.amount.toLocaleString('en')} sat`)
  if (screenshotName !== undefined) await screenshot(page, screenshotName)
  await page.click('#confirm')
  await page.locator('#result[data-status="paid"]').waitFor({ timeout: 60_000 })
  return (await page.textContent('#result-txid')) ?? ''
}

/** Waits until the element of `selector` reads exactly `text`. */
export async function textIs(page: Page, selector: string, text: string): Promise<void> {
  await until(async () => (await page.textContent(selector)) === text)
}

/** Waits until `check` holds (asked every 100 ms, for at most `ms`). */
export async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
