/** `paylink node` as a user runs it: the node in the foreground, the commands that drive it, proofs. */
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AdminClient } from '../../src/amiko/admin/admin-client.ts'
import { newToken, transactionIdOf } from '../../src/amiko/protocol/ids.ts'
import { newPrivateKey, publicKeyOf, sign } from '../../src/amiko/protocol/signing.ts'
import { receiptSigningData } from '../../src/amiko/protocol/signing-data.ts'
import { runPaylink, startPaylink, stop } from '../support/process.ts'
import { expectLedger, viewsOfClients } from './invariants.ts'

type Started = Awaited<ReturnType<typeof startPaylink>>
const running: Started[] = []

afterEach(async () => {
  // A node that already died (a test failure) has no exit left to wait for.
  for (const s of running.splice(0))
    if (s.child.exitCode === null && s.child.signalCode === null) await stop(s.child)
})

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'paylink-node-'))
}

async function startNode(dir: string, ...extra: string[]): Promise<Started> {
  const args = ['node', 'start', '--dir', dir, '--port', '0', '--admin-port', '0', ...extra]
  // Test hooks on, so the ledger-invariant checker can read the nodes' state.
  const started = await startPaylink(args, /Ctrl-C stops it\.\n/, { PAYLINK_AMIKO_TEST_HOOKS: '1' })
  running.push(started)
  return started
}

function node(dir: string, ...args: string[]) {
  const [command, ...rest] = args
  return runPaylink(['node', command as string, ...rest, '--dir', dir])
}

function proofFile(dir: string, change: Record<string, unknown> = {}): string {
  const key = newPrivateKey()
  const token = newToken()
  const transactionId = transactionIdOf(token)
  const signature = sign(key, receiptSigningData(120, 'a cake', transactionId))
  const line = {
    amount: -120,
    receipt: 'a cake',
    transactionId,
    token,
    signature,
    payeeKey: publicKeyOf(key),
  }
  const file = join(dir, `proof-${Math.random()}.json`)
  writeFileSync(file, JSON.stringify({ ...line, state: 'committed', ...change }))
  return file
}

describe('paylink node', () => {
  it('start --help names every time-out of §7', async () => {
    const help = await runPaylink(['node', 'start', '--help'])
    expect(help.code).toBe(0)
    for (const flag of ['--route-timeout', '--lock-timeout', '--expiry-increment', '--max-expiry'])
      expect(help.stdout).toContain(flag)
  })

  it('start prints its summary and writes admin.json (0600), removed when it stops', async () => {
    const dir = tempDir()
    const started = await startNode(dir, '--name', 'alice', '--meeting-points', 'mp1,mp2')
    const out = started.output()
    expect(out).toMatch(/^paylink node alice on 127\.0\.0\.1:\d+\n/)
    expect(out).toMatch(/node key +0[23][0-9a-f]{64}\n/)
    expect(out).toMatch(/admin API +http:\/\/127\.0\.0\.1:\d+ /)
    expect(out).toContain(`store           ${join(dir, 'node.db')} (SQLite)`)
    expect(out).toContain('meeting points  mp1, mp2')
    const admin = join(dir, 'admin.json')
    expect(statSync(admin).mode & 0o777).toBe(0o600)
    expect(await stop(started.child)).toBe(0)
    running.splice(0)
    expect(existsSync(admin)).toBe(false)
  })

  it('makelink prints an amikolink:// URL with the node key, and balance --json shows the link', async () => {
    const dir = tempDir()
    const started = await startNode(dir)
    const key = started.output().match(/node key +(0[23][0-9a-f]{64})/)?.[1]
    const link = await node(dir, 'makelink', 'bob')
    expect(link.code).toBe(0)
    expect(link.stdout.trim()).toMatch(new RegExp(`^amikolink://127\\.0\\.0\\.1:\\d+/bob\\?key=${key}$`))
    const balance = await node(dir, 'balance', '--json')
    expect(JSON.parse(balance.stdout)).toEqual({ links: { bob: { local: 0, remote: 0 } }, total: 0 })
    const again = await node(dir, 'makelink', 'bob')
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^paylink: .*\(AMIKO_BAD_STATE\)\n$/)
  })

  it('a command with no node running on --dir says how to start one', async () => {
    const dir = tempDir()
    const res = await node(dir, 'balance')
    expect(res.code).toBe(1)
    expect(res.stderr).toBe(
      `paylink: no node running with --dir ${dir} (start one with paylink node start --dir ${dir}) (PL8003)\n`,
    )
  })

  it('verify-proof accepts a valid proof and rejects a tampered one, with no node running', async () => {
    const dir = tempDir()
    const valid = await runPaylink(['node', 'verify-proof', proofFile(dir)])
    expect(valid.code).toBe(0)
    expect(valid.stdout).toMatch(/^valid\n/)
    expect(valid.stdout).toContain('120 satoshis')
    const tampered = await runPaylink(['node', 'verify-proof', proofFile(dir, { receipt: 'two cakes' })])
    expect(tampered.code).toBe(1)
    expect(tampered.stdout).toBe('invalid\n  the receipt signature does not verify with the payee key\n')
    const json = await runPaylink(['node', 'verify-proof', proofFile(dir, { token: newToken() }), '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).valid).toBe(false)
  })

  it('two nodes: link, deposit, request, pay --yes, and the payer line verifies as a proof', async () => {
    const [alice, bob] = [tempDir(), tempDir()]
    await startNode(bob, '--meeting-points', 'mp')
    const bobKey = (await node(bob, 'list', '--json')).stdout
    await startNode(alice, '--external-meeting-point', `mp=${JSON.parse(bobKey).nodeKey}`)
    const bobSide = (await node(bob, 'makelink', 'alice')).stdout.trim()
    expect((await node(alice, 'makelink', 'bob', '--remote', bobSide)).code).toBe(0)
    expect((await node(alice, 'deposit', 'bob', '1000')).code).toBe(0)
    const url = (await node(bob, 'request', '100', 'coffee')).stdout.trim()
    expect(url).toMatch(/^amikopay:\/\//)
    const paid = await node(alice, 'pay', url, '--yes')
    expect(paid.stdout).toContain('100 satoshis')
    expect(paid.stdout).toMatch(/^committed$/m)
    expect(paid.code).toBe(0)
    const balance = JSON.parse((await node(alice, 'balance', '--json')).stdout)
    expect(balance).toEqual({ links: { bob: { local: 900, remote: 100 } }, total: 900 })
    const clients = { alice: AdminClient.forDir(alice), bob: AdminClient.forDir(bob) }
    await expectLedger(() => viewsOfClients(clients), { deposit: () => 1000 })
    const [line] = JSON.parse((await node(alice, 'payments', '--json')).stdout) as unknown[]
    const file = join(alice, 'proof.json')
    writeFileSync(file, JSON.stringify(line))
    expect((await runPaylink(['node', 'verify-proof', file])).code).toBe(0)
  }, 120_000)
})
