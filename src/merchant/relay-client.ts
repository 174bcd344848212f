/**
 * The merchant's side of the relay (PROTOCOLS.md P4 §14.2–§14.5): one websocket per open
 * channel, joined with `?internal=true&token={merchantToken}`, answering requests and payments
 * (`relay-answer.ts`). Outbound messages carry `X-Origin-Id: [<this process>]`; inbound ones
 * with that id or a `messageId` seen before are dropped. A dropped socket is rejoined after a
 * jittered back-off (1 s doubling to 30 s); every open channel is rejoined at start.
 */
import type { Logger } from 'pino'
import WebSocket from 'ws'
import { uuid } from '../core/ids.ts'
import { type Envelope, envelope, parseEnvelope } from '../p4/relay-envelope.ts'
import type { MerchantChannelsTable } from '../store/schema.ts'
import { answerRelayMessage, type RelayAnswerContext } from './relay-answer.ts'
import type { RelayChannels } from './relay-channels.ts'
import { MessageFilter, ORIGIN_HEADER } from './relay-filter.ts'

export interface RelayClientOptions extends RelayAnswerContext {
  channels: RelayChannels
  /** First reconnect delay (ms), doubled up to `maxRetryMs`; default 1 s. */
  retryMs?: number
  maxRetryMs?: number
  logger?: Logger
}

interface Joined {
  channel: MerchantChannelsTable
  socket: WebSocket | undefined
  attempt: number
  timer: NodeJS.Timeout | undefined
  /** Called at each `join.success`. */
  onJoin: () => void
}

/** How long a new invoice waits for its channel's first `join.success` before it is returned. */
const FIRST_JOIN_WAIT_MS = 5000

export class RelayClient {
  /** This process's `X-Origin-Id`. */
  readonly origin = uuid()
  readonly #o: RelayClientOptions
  readonly #filter = new MessageFilter(this.origin)
  readonly #joined = new Map<string, Joined>()
  #closed = false

  constructor(options: RelayClientOptions) {
    this.#o = options
  }

  /** Joins every open channel (at start). */
  async start(): Promise<void> {
    for (const channel of await this.#o.channels.open()) void this.join(channel)
  }

  /**
   * Joins a channel and keeps it joined until it expires or the client closes; resolves at the
   * first `join.success` (a customer's join is refused while no merchant is there, §14.2), or
   * after 5 s, the client still trying in the background.
   */
  join(channel: MerchantChannelsTable): Promise<void> {
    if (this.#closed || this.#joined.has(channel.invoice_id)) return Promise.resolve()
    return new Promise((resolve) => {
      const wait = setTimeout(resolve, FIRST_JOIN_WAIT_MS)
      wait.unref()
      const onJoin = (): void => {
        clearTimeout(wait)
        resolve()
      }
      const joined: Joined = { channel, socket: undefined, attempt: 0, timer: undefined, onJoin }
      this.#joined.set(channel.invoice_id, joined)
      this.#connect(joined)
    })
  }

  /** Whether the channel of `invoiceId` has a live socket (tests, status). */
  isConnected(invoiceId: string): boolean {
    return this.#joined.get(invoiceId)?.socket?.readyState === WebSocket.OPEN
  }

  #connect(joined: Joined): void {
    const url = new URL(joined.channel.ws_url)
    url.searchParams.set('internal', 'true')
    url.searchParams.set('token', joined.channel.merchant_token)
    const socket = new WebSocket(url, { maxPayload: 1024 * 1024 })
    joined.socket = socket
    socket.on('message', (data, isBinary) => {
      if (isBinary) return
      this.#receive(joined, socket, data.toString()).catch((err: unknown) =>
        this.#o.logger?.error({ err, invoice: joined.channel.invoice_id }, 'relay message not handled'),
      )
    })
    // 404 (channel unknown) and 410 (expired or closed) are final: the channel is not rejoined.
    socket.on('unexpected-response', (_req, res) => {
      socket.terminate()
      if (res.statusCode === 404 || res.statusCode === 410) void this.#expired(joined).catch(() => undefined)
    })
    socket.on('error', (err) =>
      this.#o.logger?.warn({ err, invoice: joined.channel.invoice_id }, 'relay socket'),
    )
    socket.on('close', () => this.#dropped(joined, socket))
  }

  #dropped(joined: Joined, socket: WebSocket): void {
    if (joined.socket !== socket) return
    joined.socket = undefined
    if (this.#closed || this.#joined.get(joined.channel.invoice_id) !== joined) return
    if (joined.channel.expires_at <= Date.now()) {
      this.#joined.delete(joined.channel.invoice_id)
      return
    }
    const base = Math.min(this.#o.maxRetryMs ?? 30_000, (this.#o.retryMs ?? 1000) * 2 ** joined.attempt)
    joined.attempt++
    // Jitter (half to full delay) so merchants do not all come back at once after a relay restart.
    joined.timer = setTimeout(() => this.#connect(joined), base / 2 + Math.random() * (base / 2))
    joined.timer.unref()
  }

  async #receive(joined: Joined, socket: WebSocket, text: string): Promise<void> {
    let message: Envelope | undefined
    try {
      message = parseEnvelope(JSON.parse(text))
    } catch {
      message = undefined
    }
    if (message === undefined || !this.#filter.admit(message)) return
    if (message.type === 'join.success') {
      joined.attempt = 0
      joined.onJoin()
    }
    if (message.type === 'channel.expired') await this.#expired(joined)
    const reply = await answerRelayMessage(this.#o, joined.channel.invoice_id, message)
    if (reply === undefined || socket.readyState !== WebSocket.OPEN) return
    const out = envelope({
      type: reply.type,
      channelId: joined.channel.channel_id,
      correlationId: message.correlationId,
      headers: { [ORIGIN_HEADER]: [this.origin] },
      body: reply.body,
      ...(reply.expiration === undefined ? {} : { expiration: reply.expiration }),
    })
    socket.send(JSON.stringify(out))
  }

  async #expired(joined: Joined): Promise<void> {
    this.#joined.delete(joined.channel.invoice_id)
    await this.#o.channels.markClosed(joined.channel.invoice_id)
  }

  /** Closes every socket; nothing is rejoined after. */
  async close(): Promise<void> {
    this.#closed = true
    for (const joined of this.#joined.values()) {
      clearTimeout(joined.timer)
      joined.socket?.close(1000, 'merchant closing')
    }
    this.#joined.clear()
  }
}
