/**
 * `paylink up` as a user runs it (issue 8): one process with the whole stack on loopback, one
 * line per service whose URL answers, the admin key that opens the merchant's admin API,
 * `stack.json` while it runs; Ctrl-C exits 0; a second start reuses the data directory (no new
 * links, channels, funding or admin key).
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readAdminFile } from '../../src/amiko/admin/admin-file.ts'
import { runPaylink, stop } from '../support/process.ts'
import { serviceUrls, stackPortFlags, startUp } from './stack-support.ts'

const SERVICES = [
  'devnet',
  'relay',
  'merchant',
  'POS page',
  'wallet page',
  'amiko shop',
  'amiko hub',
  'amiko alice',
  'amiko bob',
]

const running: ChildProcessWithoutNullStreams[] = []
afterAll(async () => {
  for (const child of running) if (child.exitCode === null) await stop(child)
})

describe('paylink up', () => {
  it('--help explains every port flag', async () => {
    const help = await runPaylink(['up', '--help'])
    expect(help.code).toBe(0)
    for (const flag of [
      '--data',
      '--devnet-port',
      '--relay-port',
      '--merchant-port',
      '--amiko-port',
      '--amiko-admin-port',
    ])
      expect(help.stdout).toContain(flag)
  })

  it('starts every service, prints a line and an answering URL for each; Ctrl-C exits 0; a restart reuses the data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paylink-up-'))
    const flags = ['--data', dir, ...(await stackPortFlags())]

    const first = await startUp(flags)
    running.push(first.child)
    const urls = serviceUrls(first.output)
    expect([...urls.keys()]).toEqual(SERVICES)
    for (const [name, url] of urls) {
      // Any HTTP answer will do (the admin APIs say 401 without a token): the service is there.
      const res = await fetch(url).catch((err: unknown) => {
        throw new Error(`${name} at ${url} does not answer: ${(err as Error).message}`)
      })
      expect(res.status, `${name} at ${url}`).toBeGreaterThanOrEqual(200)
    }
    expect(first.output).toMatch(/funding the demo wallet with 100000 satoshis/)
    expect(first.output).toMatch(/opening a channel hub–shop/)
    const adminKey = first.output.match(/^ {2}admin key +(\S+)$/m)?.[1] as string
    const invoices = await fetch(`${urls.get('merchant')}/api/v1/invoices`, {
      headers: { authorization: `Bearer ${adminKey}` },
    })
    expect(invoices.status).toBe(200)
    expect(existsSync(join(dir, 'stack.json'))).toBe(true)

    expect(await stop(first.child)).toBe(0)
    expect(existsSync(join(dir, 'stack.json'))).toBe(false)

    const second = await startUp(flags)
    running.push(second.child)
    expect(second.output).not.toMatch(/funding|linking|opening a channel/)
    expect(second.output.match(/^ {2}admin key +(\S+)$/m)?.[1]).toBe(adminKey)
    expect([...serviceUrls(second.output).keys()]).toEqual(SERVICES)
    // The nodes found their stored links again and redialled each other.
    const alice = await fetch(`${serviceUrls(second.output).get('amiko alice')}/balance`, {
      headers: { authorization: `Bearer ${adminToken(join(dir, 'amiko', 'alice'))}` },
    })
    expect(((await alice.json()) as { links: Record<string, unknown> }).links).toHaveProperty('to-hub')
    expect(await stop(second.child)).toBe(0)
  }, 90_000)
})

function adminToken(nodeDir: string): string {
  return readAdminFile(nodeDir)?.token ?? ''
}
