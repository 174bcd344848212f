/**
 * Issue 8: an Amiko request made on the point-of-sale page (the merchant's node is the payee)
 * and paid with `paylink node pay` from a second node, a real CLI process linked to it; the POS
 * page follows it live — waiting → committed.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNode, type TestNode } from '../amiko/support.ts'
import { API_KEY, type RunningShop, startShop } from '../support/merchant.ts'
import { runPaylink, startPaylink, stop } from '../support/process.ts'
import { chromiumPath, collectPageErrors, launch, type RunningBrowser, screenshot } from './browser.ts'
import { createOnPos, openPos, posStatus } from './pages.ts'

const chromium = chromiumPath()

describe.skipIf(chromium === undefined)('POS page, Amiko request', () => {
  let shop: RunningShop
  let payee: TestNode
  let payer: Awaited<ReturnType<typeof startPaylink>> | undefined
  let browser: RunningBrowser
  let pos: Page
  const errors: string[] = []
  const dir = mkdtempSync(join(tmpdir(), 'paylink-pos-payer-'))
  const node = (...args: string[]) => runPaylink(['node', ...args, '--dir', dir])

  beforeAll(async () => {
    payee = await startNode({ name: 'shop', meetingPoints: ['mp'] })
    shop = await startShop({ amiko: payee.node })
    payer = await startPaylink(
      [
        ...['node', 'start', '--dir', dir, '--port', '0', '--admin-port', '0', '--name', 'alice'],
        ...['--external-meeting-point', `mp=${payee.node.nodeKey}`],
      ],
      /Ctrl-C stops it\.\n/,
    )
    // The payer's node reaches the meeting point through its link to the shop, which hosts it.
    const { url } = await payee.node.makeLink('alice')
    expect((await node('makelink', 'shop', '--remote', url)).code).toBe(0)
    expect((await node('deposit', 'shop', '1000')).code).toBe(0)
    browser = await launch(chromium as string)
    pos = await browser.context.newPage()
    collectPageErrors(errors, pos)
  })

  afterAll(async () => {
    await browser?.close()
    if (payer !== undefined && payer.child.exitCode === null) await stop(payer.child)
    await shop?.close()
    await payee?.close()
  })

  it('a request made on the POS page and paid with paylink node pay turns committed', async () => {
    await openPos(pos, shop.base, API_KEY)
    const url = await createOnPos(pos, { kind: 'amiko', amount: 120, memo: 'a cake' })
    expect(url).toMatch(/^amikopay:\/\/127\.0\.0\.1:\d+\//)
    await posStatus(pos, 'waiting')
    await screenshot(pos, 'amiko-1-request')

    const paid = await node('pay', url, '--yes')
    expect(paid.stdout, paid.stderr).toContain('120 satoshis')
    expect(paid.stdout).toMatch(/^committed$/m)

    await posStatus(pos, 'committed')
    await expect.poll(() => pos.textContent('#recent-rows tr td[data-status]')).toBe('committed')
    await screenshot(pos, 'amiko-2-committed')
    expect(payee.node.balance().links['alice']).toEqual({ local: 120, remote: 880 })
    expect(errors).toEqual([])
  })
})
