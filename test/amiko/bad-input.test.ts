/**
 * Bad input on the line protocol (protocols-amiko.md §2.1, §2.2): an oversized line, unparsable
 * JSON, an unknown shape, a message before binding, a `Pay` for an unknown payment, a `ConnectLink`
 * with a bad signature: each closes the connection with its `{"error": code}`, and the node's
 * state does not change.
 */
import { connect as tcp } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectSigningData, newPrivateKey, publicKeyOf, sign } from '../../src/amiko/protocol/index.ts'
import { startNode, type TestNode } from './support.ts'

let node: TestNode

beforeAll(async () => {
  node = await startNode({ name: 'target', meetingPoints: ['MP'] })
  await node.node.makeLink('link_to_friend')
  await node.node.request(10, 'kept')
})
afterAll(() => node.close())

/** Sends `lines` after the challenge and collects what comes back until the node closes. */
function session(lines: (challenge: string) => string[]): Promise<{ received: unknown[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = tcp({ host: '127.0.0.1', port: node.port })
    const received: unknown[] = []
    let buffer = ''
    let sent = false
    socket.on('data', (chunk) => {
      buffer += chunk.toString()
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = JSON.parse(buffer.slice(0, nl)) as { challenge?: string }
        buffer = buffer.slice(nl + 1)
        received.push(line)
        if (!sent && typeof line.challenge === 'string') {
          sent = true
          for (const l of lines(line.challenge)) socket.write(l)
        }
      }
    })
    socket.on('close', () => resolve({ received, closed: true }))
    setTimeout(() => {
      socket.destroy()
      resolve({ received, closed: false })
    }, 3000).unref()
  })
}

describe('bad input on the line protocol', () => {
  const cases: [string, (challenge: string) => string[], string][] = [
    ['a line over 65 536 bytes', () => [`{"x":"${'a'.repeat(70_000)}"}\n`], 'AMIKO_LINE_TOO_LONG'],
    ['unparsable JSON', () => ['{nope\n'], 'AMIKO_BAD_JSON'],
    ['an unknown line shape', () => ['{"hello": 1}\n'], 'AMIKO_BAD_JSON'],
    [
      'an indexed message before binding',
      () => ['{"index": 0, "message": {"_class": "Cancel"}}\n'],
      'AMIKO_NOT_BOUND',
    ],
    [
      'a Pay for an unknown payment',
      () => ['{"index": null, "message": {"_class": "Pay", "ID": "nosuch"}}\n'],
      'AMIKO_UNKNOWN_ID',
    ],
    [
      'an unknown class as connect message',
      () => ['{"index": null, "message": {"_class": "Hello"}}\n'],
      'AMIKO_UNKNOWN_CLASS',
    ],
    [
      'a ConnectLink signed by another key than it names',
      (challenge) => {
        const key = publicKeyOf(newPrivateKey())
        const dice = '01020304'
        const data = connectSigningData(challenge, 'link_to_friend', 'x', dice, key)
        const message = {
          _class: 'ConnectLink',
          ID: 'link_to_friend',
          dice,
          callbackHost: null,
          callbackPort: null,
          callbackID: 'x',
          nodeKey: key,
          challenge: 'ab'.repeat(32),
          signature: sign(newPrivateKey(), data),
        }
        return [`${JSON.stringify({ index: null, message })}\n`]
      },
      'AMIKO_AUTH_FAILED',
    ],
  ]
  for (const [what, lines, code] of cases) {
    it(`${what} → closed with ${code}, nothing changed`, async () => {
      const before = JSON.stringify(node.node.snapshot())
      const { received, closed } = await session(lines)
      expect(closed).toBe(true)
      expect(received.at(-1)).toEqual({ error: code })
      expect(JSON.stringify(node.node.snapshot())).toBe(before)
    })
  }
})
