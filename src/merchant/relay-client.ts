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
import type { Proofs, StoredProof } from './proofs.ts'
import { answerRelayMessage, type RelayAnswerContext } from './relay-answer.ts'
import type { RelayChannels } from './relay-channels.ts'
import { MessageFilter, ORIGIN_HEADER } from './relay-filter.ts'

export interface RelayClientOptions extends RelayAnswerContext {
  channels: RelayChannels
  proofs: Proofs
  /** How often the store is checked for channels opened by another process (ms); default 1 s. */
  syncMs?: number
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
  /** Replies decided while the socket was down, sent after the next `join.success`. */
  outbox: string[]
}

/** How long a new invoice waits for its channel's first `join.success` before it is returned. */
const FIRST_JOIN_WAIT_MS = 5000
/** A `payment.ack` with `error` 0 keeps the channel at least this long (§14.5). */
const ACK_EXTENSION_MS = 24 * 60 * 60 * 1000

export class RelayClient {
  /** This process's `X-Origin-Id`. */
  readonly origin = uuid()
  readonly #o: RelayClientOptions
  readonly #filter = new MessageFilter(this.origin)
  readonly #joined = new Map<string, Joined>()
  #syncTimer: NodeJS.Timeout | undefined
  #closed = false

  constructor(options: RelayClientOptions) {
    this.#o = options
  }

  /**
   * Joins every open channel, at start and then every second (an invoice created by another
   * process, `paylink merchant invoice`, is picked up so), and finishes channels whose proof is
   * already stored (a stop between storing it and closing the channel).
   */
  async start(): Promise<void> {
    await this.#sync()
    this.#syncTimer = setInterval(() => {
      this.#sync().catch((err: unknown) => this.#o.logger?.warn({ err }, 'relay channel sync failed'))
    }, this.#o.syncMs ?? 1000)
    this.#syncTimer.unref()
  }

  async #sync(): Promise<void> {
    for (const channel of await this.#o.channels.open()) {
      if (!this.#joined.has(channel.invoice_id)) void this.join(channel)
    }
    for (const proof of await this.#o.proofs.storedForOpenChannels()) await this.finish(proof)
  }

  /**
   * A proof is stored (§13, models 2 and 3): one that did not come over the channel is put on it
   * through the relay's sink, so the customer gets it too; then the channel is closed and left.
   */
  async finish(proof: Omit<StoredProof, 'source'> & { source?: StoredProof['source'] }): Promise<void> {
    const channel = await this.#o.channels.of(proof.invoiceId)
    if (channel === undefined || channel.state !== 'open') return
    if (proof.source !== 'relay') await this.#o.channels.publishProof(channel, proof.txid, proof.envelope)
    await this.#o.channels.close(channel)
    const joined = this.#joined.get(proof.invoiceId)
    this.#joined.delete(proof.invoiceId)
    clearTimeout(joined?.timer)
    joined?.socket?.close(1000, 'proof delivered')
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
      const joined: Joined = { channel, socket: undefined, attempt: 0, timer: undefined, onJoin, outbox: [] }
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
      this.#receive(joined, data.toString()).catch((err: unknown) =>
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

  async #receive(joined: Joined, text: string): Promise<void> {
    let message: Envelope | undefined
    try {
      message = parseEnvelope(JSON.parse(text))
    } catch {
      message = undefined
    }
    if (message === undefined || !this.#filter.admit(message)) return
    const invoiceId = joined.channel.invoice_id
    if (message.type === 'join.success') {
      joined.attempt = 0
      joined.onJoin()
      for (const frame of joined.outbox.splice(0)) this.#send(joined, frame)
      const expires = Date.parse(message.headers['X-Channel-Expires']?.[0] ?? '')
      if (Number.isFinite(expires)) await this.#extend(joined, expires)
    }
    if (message.type === 'channel.expired') await this.#expired(joined)
    if (message.type === 'proof.create') {
      const txid = message.headers['X-Tx-Id']?.[0] ?? message.correlationId
      await this.#o.proofs.receiveFromRelay(invoiceId, txid, message.body)
      return
    }
    const reply = await answerRelayMessage(this.#o, invoiceId, message)
    if (reply === undefined) return
    if (reply.type === 'payment.ack' && (reply.body as { error?: unknown }).error === 0) {
      await this.#extend(joined, Date.now() + ACK_EXTENSION_MS)
    }
    const out = envelope({
      type: reply.type,
      channelId: joined.channel.channel_id,
      correlationId: message.correlationId,
      headers: { [ORIGIN_HEADER]: [this.origin] },
      body: reply.body,
      ...(reply.expiration === undefined ? {} : { expiration: reply.expiration }),
    })
    this.#send(joined, JSON.stringify(out))
  }

  /**
   * Sends on the channel's current socket; while it is down (cut mid-payment, say) the reply
   * waits for the rejoin, so a customer still waiting gets its ACK without sending again.
   */
  #send(joined: Joined, frame: string): void {
    if (joined.socket?.readyState === WebSocket.OPEN) joined.socket.send(frame)
    else if (joined.outbox.length < 100) joined.outbox.push(frame)
  }

  async #extend(joined: Joined, expiresAt: number): Promise<void> {
    if (expiresAt <= joined.channel.expires_at) return
    joined.channel = { ...joined.channel, expires_at: expiresAt }
    await this.#o.channels.extend(joined.channel.invoice_id, expiresAt)
  }

  async #expired(joined: Joined): Promise<void> {
    this.#joined.delete(joined.channel.invoice_id)
    await this.#o.channels.markClosed(joined.channel.invoice_id)
  }

  /** Closes every socket; nothing is rejoined after. */
  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#syncTimer)
    for (const joined of this.#joined.values()) {
      clearTimeout(joined.timer)
      joined.socket?.close(1000, 'merchant closing')
    }
    this.#joined.clear()
  }
}
