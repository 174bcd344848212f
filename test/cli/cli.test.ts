/** The `paylink` command as a user runs it: help, version, errors, and the devnet across a restart. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runPaylink, startPaylink, stop } from '../support/process.ts'

describe('paylink command line', () => {
  it('--help lists the commands and --version prints the package version', async () => {
    const help = await runPaylink(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/devnet/)
    expect(help.stdout).toMatch(/up/)
    const version = await runPaylink(['--version'])
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('devnet --help explains every flag', async () => {
    const help = await runPaylink(['devnet', 'start', '--help'])
    for (const flag of ['--port', '--host', '--db', '--block-interval', '--fee-rate', '--fee-bytes']) {
      expect(help.stdout).toContain(flag)
    }
  })

  it('a bad flag value is one line on stderr and exit code 1, not a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paylink-cli-'))
    const bad = await runPaylink(['devnet', '--port', 'nope'], { PAYLINK_DATA_DIR: dir })
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe('paylink: invalid --port: "nope" is not a port (PL8001)')
    const unreachable = await runPaylink(['devnet', 'mine', '--url', 'http://127.0.0.1:9'])
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toMatch(/cannot reach .* is it running\? \(PL8003\)/)
  })

  it('devnet starts, prints its URLs, mines and pays on request, and keeps its chain across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paylink-cli-'))
    const env = { PAYLINK_DATA_DIR: dir }
    const first = await startPaylink(['devnet', '--port', '0'], /tip +height (\d+)/, env)
    expect(first.match[1]).toBe('100')
    const base = first.output().match(/on (http:\/\/127\.0\.0\.1:\d+)\n/)?.[1] as string
    const mined = await runPaylink(['devnet', 'mine', '--blocks', '2', '--url', base])
    expect(mined.stdout).toMatch(/tip is now height 102/)
    const paid = await runPaylink([
      'devnet',
      'faucet',
      'mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8',
      '5000',
      '--url',
      base,
    ])
    expect(paid.stdout).toMatch(/paid 5000 satoshis/)
    expect(await stop(first.child)).toBe(0)

    const second = await startPaylink(['devnet', '--port', '0'], /tip +height (\d+)/, env)
    expect(second.match[1]).toBe('103')
    expect(await stop(second.child)).toBe(0)
  })
})
