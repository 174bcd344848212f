/**
 * The REST↔websocket bridge (PROTOCOLS.md P4 §14.6, model 2): a customer's HTTP call becomes a
 * request over the merchant's socket with a fresh `correlationId`; the first merchant reply with
 * that id settles it. No merchant → 404 `PL5002` at once (defect D11); silence past the bridge
 * time-out → 504 `PL5006`. In a cluster a call whose merchant's socket is on another instance is
 * sent there over the bus (request/reply); that instance runs it as its own and returns the reply.
 */
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { uuid } from '../core/ids.ts'
import { type Envelope, envelope } from '../p4/relay-envelope.ts'
import type { Hub, LiveChannel } from './hub.ts'

interface Pending {
  channelId: string
  resolve: (reply: Envelope) => void
}

export class Bridge {
  readonly #hub: Hub
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #pending = new Map<string, Pending>()

  constructor(hub: Hub, clock: Clock, timeoutMs: number) {
    this.#hub = hub
    this.#clock = clock
    this.#timeoutMs = timeoutMs
    hub.answerBridge = (live, message) => this.#local(live, message)
  }

  /** Sends `type` with `body` and `headers` to the merchant of `channelId`; resolves with its reply. */
  async request(
    channelId: string,
    type: 'paymentrequest.create' | 'payment',
    body: unknown,
    headers: Record<string, string[]>,
  ): Promise<Envelope> {
    const correlationId = uuid()
    const message = envelope(
      { type, channelId, correlationId, body, headers, appId: 'p4' },
      this.#clock.now(),
    )
    const live = this.#hub.find(channelId)
    if (live?.merchant?.open === true) return this.#local(live, message)
    if (!this.#hub.bus.clustered) throw new PaylinkError('PL5002', 'the merchant is not connected')
    return this.#hub.bus.bridge(channelId, message, this.#timeoutMs)
  }

  /** Sends `message` to the merchant connected here and waits for its reply. */
  async #local(live: LiveChannel, message: Envelope): Promise<Envelope> {
    if (live.merchant === undefined || !live.merchant.open) {
      throw new PaylinkError('PL5002', 'the merchant is not connected')
    }
    const channelId = live.id
    const correlationId = message.correlationId
    const reply = new Promise<Envelope>((resolve) => this.#pending.set(correlationId, { channelId, resolve }))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PaylinkError('PL5006', 'the merchant did not answer in time')),
        this.#timeoutMs,
      )
    })
    try {
      await live.mutex.run(() => this.#hub.deliver(live, 'merchant', message))
      return await Promise.race([reply, timeout])
    } finally {
      clearTimeout(timer)
      this.#pending.delete(correlationId)
    }
  }

  /** Hands a merchant message to the request it answers; false when none waits for it. */
  settle(channelId: string, message: Envelope): boolean {
    const pending = this.#pending.get(message.correlationId)
    if (pending === undefined || pending.channelId !== channelId) return false
    this.#pending.delete(message.correlationId)
    pending.resolve(message)
    return true
  }
}
