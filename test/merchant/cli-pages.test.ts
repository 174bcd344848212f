/**
 * `paylink merchant` serves the point-of-sale page always, and the browser wallet demo only when
 * it names a devnet (`--devnet-url`): a production till offers no demo wallet on its origin.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { tempDb } from '../support/devnet.ts'
import { freePort } from '../support/ports.ts'
import { startPaylink, stop } from '../support/process.ts'

const running: Awaited<ReturnType<typeof startPaylink>>[] = []
afterEach(async () => {
  for (const m of running.splice(0)) await stop(m.child)
})

async function merchant(...extra: string[]): Promise<string> {
  const port = await freePort()
  const args = ['merchant', '--port', String(port), '--db', tempDb('merchant-pages'), ...extra]
  running.push(await startPaylink(args, /paylink merchant on /))
  return `http://127.0.0.1:${port}`
}

describe('paylink merchant pages', () => {
  it('--devnet-url serves /wallet and names the devnet in /pos/config; without it, /wallet is 404', async () => {
    const withDevnet = await merchant('--devnet-url', 'http://127.0.0.1:9090')
    expect((await fetch(`${withDevnet}/pos`)).status).toBe(200)
    expect((await fetch(`${withDevnet}/wallet`)).status).toBe(200)
    expect(await (await fetch(`${withDevnet}/pos/config`)).json()).toMatchObject({
      devnetUrl: 'http://127.0.0.1:9090',
    })
    const plain = await merchant()
    expect((await fetch(`${plain}/pos`)).status).toBe(200)
    expect((await fetch(`${plain}/wallet`)).status).toBe(404)
  }, 60_000)
})
