/**
 * The customer's side of a relay channel (PROTOCOLS.md P4 §14.2–§14.4, model 3): a websocket
 * joined with `?token={customerToken}`, ready once `join.success` arrives; requests sent with a
 * fresh `correlationId` and `X-Origin-Id: [<this process>]`, answered by the first reply of an
 * expected type with the same `correlationId`. Own echoes and repeated `messageId`s are dropped.
 */
import WebSocket from 'ws'
import { uuid } from '../core/ids.ts'
import { type Envelope, envelope, parseEnvelope } from '../p4/relay-envelope.ts'

/** This process's `X-Origin-Id` on channels (one per process, as payd's middleware). */
export const WALLET_ORIGIN = uuid()
const ORIGIN_HEADER = 'X-Origin-Id'

/** How a join ended: joined, refused by the relay before the upgrade (§14.2), or failed. */
export type JoinOutcome =
  | { kind: 'joined'; channel: WsChannel }
  | { kind: 'refused'; status: number; body: unknown; detail: string }
  | { kind: 'failed'; detail: string }

interface Waiter {
  /** Undefined: any `correlationId`. */
  correlationId: string | undefined
  types: readonly string[]
  resolve: (message: Envelope | undefined) => void
}

export class WsChannel {
  readonly #socket: WebSocket
  readonly #channelId: string
  readonly #seen = new Set<string>()
  readonly #waiters = new Set<Waiter>()
  readonly #early: Envelope[] = []

  private constructor(socket: WebSocket, channelId: string) {
    this.#socket = socket
    this.#channelId = channelId
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.#receive(data.toString())
    })
    socket.on('close', () => {
      for (const w of this.#waiters) w.resolve(undefined)
      this.#waiters.clear()
    })
  }

  /** Opens `url` (the `r` URL with its token) and waits for `join.success`; never throws. */
  static join(url: string, channelId: string, timeoutMs: number): Promise<JoinOutcome> {
    return new Promise((resolve) => {
      const socket = new WebSocket(url, { maxPayload: 1024 * 1024, handshakeTimeout: timeoutMs })
      const end = (outcome: JoinOutcome): void => {
        clearTimeout(timer)
        socket.terminate()
        resolve(outcome)
      }
      const fail = (detail: string): void => end({ kind: 'failed', detail })
      const timer = setTimeout(() => fail(`no join.success within ${timeoutMs} ms`), timeoutMs)
      socket.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0
        const chunks: Buffer[] = []
        // The relay may cut the connection right after its answer: what arrived is the body.
        const refused = (): void => {
          const body = jsonOf(Buffer.concat(chunks).toString('utf8'))
          end({ kind: 'refused', status, body, detail: `the relay refused the join (HTTP ${status})` })
        }
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', refused)
        res.on('end', refused)
      })
      socket.on('error', (err) => fail(err.message))
      socket.on('close', () => fail('the relay closed the socket before join.success'))
      socket.on('message', (data) => {
        if (parseEnvelope(jsonOf(data.toString()))?.type !== 'join.success') return
        clearTimeout(timer)
        socket.removeAllListeners()
        socket.on('error', () => undefined)
        resolve({ kind: 'joined', channel: new WsChannel(socket, channelId) })
      })
    })
  }

  /**
   * Sends a `type` message and waits for a reply of one of `replyTypes` with its
   * `correlationId`; undefined when the socket closes or `timeoutMs` passes first.
   */
  request(
    message: { type: string; body: unknown; headers?: Record<string, string[]> },
    replyTypes: readonly string[],
    timeoutMs: number,
  ): Promise<Envelope | undefined> {
    const correlationId = uuid()
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), timeoutMs)
      const waiter: Waiter = { correlationId, types: replyTypes, resolve: (m) => done(m) }
      const done = (m: Envelope | undefined): void => {
        clearTimeout(timer)
        this.#waiters.delete(waiter)
        resolve(m)
      }
      this.#waiters.add(waiter)
      this.send({ ...message, correlationId })
    })
  }

  /** The next message of one of `types` (queued ones come right after the join); undefined on time-out. */
  next(types: readonly string[], timeoutMs: number): Promise<Envelope | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), timeoutMs)
      const waiter: Waiter = { correlationId: undefined, types, resolve: (m) => done(m) }
      const done = (m: Envelope | undefined): void => {
        clearTimeout(timer)
        this.#waiters.delete(waiter)
        resolve(m)
      }
      this.#waiters.add(waiter)
      const early = this.#early.findIndex((m) => types.includes(m.type))
      if (early >= 0) done(this.#early.splice(early, 1)[0])
    })
  }

  /** Sends one message on the channel. */
  send(message: {
    type: string
    body: unknown
    correlationId: string
    headers?: Record<string, string[]>
  }): void {
    const out = envelope({
      type: message.type,
      channelId: this.#channelId,
      correlationId: message.correlationId,
      headers: { ...message.headers, [ORIGIN_HEADER]: [WALLET_ORIGIN] },
      body: message.body,
    })
    this.#socket.send(JSON.stringify(out))
  }

  #receive(text: string): void {
    const message = parseEnvelope(jsonOf(text))
    if (message === undefined || message.headers[ORIGIN_HEADER]?.includes(WALLET_ORIGIN) === true) return
    if (message.messageId !== '') {
      if (this.#seen.has(message.messageId)) return
      this.#seen.add(message.messageId)
    }
    const waiter = [...this.#waiters].find(
      (w) =>
        (w.correlationId ?? message.correlationId) === message.correlationId &&
        w.types.includes(message.type),
    )
    if (waiter !== undefined) waiter.resolve(message)
    // Queued messages arrive right after join.success, maybe before anyone waits for them.
    else if (this.#early.length < 100) this.#early.push(message)
  }

  close(): void {
    this.#socket.close(1000, 'done')
  }
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
