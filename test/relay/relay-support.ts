/** A relay on loopback with a fresh SQLite store, channels created through its API, and ws clients. */
import WebSocket from 'ws'
import { Relay, type RelayOptions } from '../../src/relay/relay.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { tempDb } from '../support/devnet.ts'
import { freePort } from '../support/ports.ts'

export const MERCHANT_KEY = 'relay-merchant-key-0123456789'

export interface RunningRelay {
  relay: Relay
  store: Store
  base: string
  port: number
  db: string
  close(): Promise<void>
}

export async function startRelay(opts: Partial<RelayOptions> & { db?: string; port?: number } = {}) {
  const db = opts.db ?? tempDb('relay')
  const store = await openStore(db)
  const port = opts.port ?? (await freePort())
  const base = `http://127.0.0.1:${port}`
  const relay = await Relay.open({ publicUrl: base, merchantKeys: [MERCHANT_KEY], ...opts, store })
  await relay.listen(port)
  const running: RunningRelay = {
    relay,
    store,
    base,
    port,
    db,
    close: async () => {
      await relay.close()
      await store.close()
    },
  }
  return running
}

export interface ChannelAnswer {
  channelId: string
  merchantToken: string
  customerToken: string
  proofToken: string
  expiresAt: string
  paymentUrl: string
  wsUrl: string
}

export async function createChannel(base: string, body: unknown = {}): Promise<ChannelAnswer> {
  const res = await fetch(`${base}/api/v1/channels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (res.status !== 201) throw new Error(`channel create answered ${res.status}`)
  return (await res.json()) as ChannelAnswer
}

/** A connected ws client that records every message it receives and how it closed. */
export class Client {
  readonly messages: Record<string, unknown>[] = []
  closed: { code: number; reason: string } | undefined
  readonly socket: WebSocket
  readonly #waiters: (() => void)[] = []

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Record<string, unknown>)
      this.#wake()
    })
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) }
      this.#wake()
    })
  }

  static connect(url: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      const client = new Client(socket)
      socket.once('open', () => resolve(client))
      socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
      socket.once('error', reject)
    })
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message))
  }

  /** Waits until `test` holds (checked on each message or close), at most `ms`. */
  async until(test: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms
    while (!test()) {
      if (Date.now() > deadline) throw new Error('timed out waiting')
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  /** Waits for the `n`th message (1-based) and returns it. */
  async nth(n: number, ms = 5000): Promise<Record<string, unknown>> {
    await this.until(() => this.messages.length >= n, ms)
    return this.messages[n - 1]!
  }

  ofType(type: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m['type'] === type)
  }

  close(): void {
    this.socket.close()
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w()
  }
}

/** Opens a ws to `url` expecting a refusal; resolves with the HTTP status and body (no upgrade). */
export function refusal(
  url: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once('open', () => reject(new Error('upgraded')))
    socket.once('unexpected-response', (_req, res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8')
      })
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(text) as Record<string, unknown>,
          headers: res.headers,
        }),
      )
    })
    socket.once('error', () => undefined)
  })
}

export const merchantUrl = (c: ChannelAnswer) => `${c.wsUrl}?internal=true&token=${c.merchantToken}`
export const customerUrl = (c: ChannelAnswer) => `${c.wsUrl}?token=${c.customerToken}`
