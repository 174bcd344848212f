/**
 * The customer's side of a relay channel in the browser (PROTOCOLS.md P4 §14.2–§14.4, model 3),
 * as `src/wallet/ws-channel.ts` is for Node: the `r` URL (with its token) joined, ready once
 * `join.success` arrives; a request answered by the first reply of an expected type with its
 * `correlationId`; own echoes (`X-Origin-Id`) dropped.
 */
import { uuid } from '../src/core/ids.ts'
import { type Envelope, envelope, parseEnvelope } from '../src/p4/relay-envelope.ts'

const ORIGIN = uuid()
const ORIGIN_HEADER = 'X-Origin-Id'

export class RelayChannel {
  readonly #socket: WebSocket
  readonly #channelId: string
  readonly #waiters = new Set<{ id: string; types: readonly string[]; done: (m?: Envelope) => void }>()

  private constructor(socket: WebSocket, channelId: string) {
    this.#socket = socket
    this.#channelId = channelId
    socket.addEventListener('message', (e) => this.#receive(String(e.data)))
    socket.addEventListener('close', () => {
      for (const w of this.#waiters) w.done(undefined)
    })
  }

  /** Joins the channel of `url`; rejects when the relay refuses or does not confirm in time. */
  static join(url: string, channelId: string, timeoutMs: number): Promise<RelayChannel> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      const timer = setTimeout(() => fail(`no join.success within ${timeoutMs} ms`), timeoutMs)
      const fail = (why: string): void => {
        clearTimeout(timer)
        socket.close()
        reject(new Error(`cannot join the payment channel: ${why}`))
      }
      const onMessage = (e: MessageEvent): void => {
        if (parseEnvelope(jsonOf(String(e.data)))?.type !== 'join.success') return
        clearTimeout(timer)
        socket.removeEventListener('message', onMessage)
        socket.removeEventListener('close', onClose)
        resolve(new RelayChannel(socket, channelId))
      }
      const onClose = (): void => fail('the relay closed the socket (refused or unreachable)')
      socket.addEventListener('message', onMessage)
      socket.addEventListener('close', onClose)
    })
  }

  /** Sends `type` and resolves with the reply of one of `replies`, or undefined (closed, time-out). */
  request(
    message: { type: string; body: unknown; headers: Record<string, string[]> },
    replies: readonly string[],
    timeoutMs: number,
  ): Promise<Envelope | undefined> {
    const id = uuid()
    return new Promise((resolve) => {
      const waiter = {
        id,
        types: replies,
        done: (m?: Envelope) => {
          clearTimeout(timer)
          this.#waiters.delete(waiter)
          resolve(m)
        },
      }
      const timer = setTimeout(() => waiter.done(undefined), timeoutMs)
      this.#waiters.add(waiter)
      const out = envelope({
        type: message.type,
        channelId: this.#channelId,
        correlationId: id,
        headers: { ...message.headers, [ORIGIN_HEADER]: [ORIGIN] },
        body: message.body,
      })
      this.#socket.send(JSON.stringify(out))
    })
  }

  close(): void {
    this.#socket.close(1000, 'done')
  }

  #receive(text: string): void {
    const m = parseEnvelope(jsonOf(text))
    if (m === undefined || m.headers[ORIGIN_HEADER]?.includes(ORIGIN) === true) return
    for (const w of this.#waiters) if (w.id === m.correlationId && w.types.includes(m.type)) w.done(m)
  }
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
