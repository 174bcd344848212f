/**
 * The relay bus over NATS core (DESIGN.md "relay fan-out across instances"): per channel, every
 * instance holding a leg subscribes to `{prefix}.ch.{channelId}` (queued messages, close), and
 * the instance holding the merchant's socket to `{prefix}.merchant.{channelId}` (presence and
 * bridged requests, request/reply). NATS "no responders" makes a merchant held nowhere a `PL5002`
 * at once. Durability is not NATS's job here: every message is in the shared store's queue before
 * it is announced, so a lost announcement only delays a message to the next join's hand-over.
 * Bus messages are parsed at this trust boundary.
 */
import { connect, type NatsConnection, RequestError, type Subscription } from '@nats-io/transport-node'
import { z } from 'zod'
import { PaylinkError } from '../core/errors.ts'
import { type Envelope, parseEnvelope } from '../p4/relay-envelope.ts'
import type { BridgeAnswerer, Bus, ChannelListener, Detach, QueuedMessage } from './bus.ts'

/** Frames larger than this go by row id only (NATS's default max_payload is 1 MiB). */
const MAX_INLINE_FRAME = 256 * 1024
/** How long a presence check waits for the merchant's instance. */
const PRESENCE_TIMEOUT_MS = 2000

const channelEvent = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('queued'),
    role: z.enum(['merchant', 'customer']),
    id: z.string().min(1),
    messageId: z.string(),
    frame: z.string().optional(),
  }),
  z.object({ kind: z.literal('ended') }),
])

const merchantRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('presence') }),
  z.object({ kind: z.literal('bridge'), message: z.unknown() }),
])

const bridgeReply = z.union([
  z.object({ reply: z.unknown() }),
  z.object({ error: z.enum(['PL5002', 'PL5006', 'PL9001']), detail: z.string() }),
])

/** Subject-safe: channel ids are alphanumeric (`randomId`); anything else is refused. */
function token(channelId: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(channelId)) throw new PaylinkError('PL5001', 'no such channel')
  return channelId
}

export interface NatsBusOptions {
  /** `nats://host:port`, or several separated by commas. */
  url: string
  /** Subject prefix: one cluster's subjects (default `paylink.relay`). */
  prefix?: string
  logger?: { warn(obj: unknown, msg: string): void }
}

export class NatsBus implements Bus {
  readonly clustered = true
  readonly #nc: NatsConnection
  readonly #prefix: string
  readonly #logger: NatsBusOptions['logger']

  private constructor(nc: NatsConnection, prefix: string, logger: NatsBusOptions['logger']) {
    this.#nc = nc
    this.#prefix = prefix
    this.#logger = logger
  }

  /** Connects; an unreachable server is `PL8001` (the relay does not start half-clustered). */
  static async open(o: NatsBusOptions): Promise<NatsBus> {
    const prefix = o.prefix ?? 'paylink.relay'
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix))
      throw new PaylinkError('PL8001', `invalid NATS subject prefix "${prefix}"`)
    try {
      // noEcho: an instance never hears its own announcements; it acts on them directly.
      const nc = await connect({
        servers: o.url.split(','),
        noEcho: true,
        maxReconnectAttempts: -1,
        name: 'paylink-relay',
      })
      return new NatsBus(nc, prefix, o.logger)
    } catch (cause) {
      throw new PaylinkError('PL8001', `cannot reach NATS at ${o.url}`, { cause })
    }
  }

  attach(channelId: string, listener: ChannelListener): Detach {
    const sub = this.#nc.subscribe(`${this.#prefix}.ch.${token(channelId)}`, {
      callback: (err, msg) => {
        if (err !== null) return
        const event = parseJson(channelEvent, msg.data)
        if (event === undefined) return this.#logger?.warn({ channelId }, 'unreadable bus message dropped')
        const done =
          event.kind === 'ended'
            ? listener.ended()
            : listener.queued(event.role, {
                id: event.id,
                messageId: event.messageId,
                ...(event.frame === undefined ? {} : { frame: event.frame }),
              })
        done.catch((cause: unknown) => this.#logger?.warn({ err: cause, channelId }, 'bus delivery failed'))
      },
    })
    return unsubscriber(sub)
  }

  holdMerchant(channelId: string, answer: BridgeAnswerer): Detach {
    const sub = this.#nc.subscribe(`${this.#prefix}.merchant.${token(channelId)}`, {
      callback: (err, msg) => {
        if (err !== null) return
        const request = parseJson(merchantRequest, msg.data)
        if (request === undefined) return
        if (request.kind === 'presence') return void msg.respond('{}')
        const message = parseEnvelope(request.message)
        const reply = message === undefined ? Promise.reject(new Error('bad envelope')) : answer(message)
        reply.then(
          (r) => msg.respond(JSON.stringify({ reply: r })),
          (cause: unknown) => msg.respond(JSON.stringify(errorReply(cause))),
        )
      },
    })
    return unsubscriber(sub)
  }

  queued(channelId: string, role: 'merchant' | 'customer', message: QueuedMessage): void {
    const inline = message.frame !== undefined && message.frame.length <= MAX_INLINE_FRAME
    const event = {
      kind: 'queued',
      role,
      id: message.id,
      messageId: message.messageId,
      ...(inline ? { frame: message.frame } : {}),
    }
    this.#publish(channelId, event)
  }

  ended(channelId: string): void {
    this.#publish(channelId, { kind: 'ended' })
  }

  async merchantElsewhere(channelId: string): Promise<boolean> {
    try {
      await this.#nc.request(`${this.#prefix}.merchant.${token(channelId)}`, '{"kind":"presence"}', {
        timeout: PRESENCE_TIMEOUT_MS,
      })
      return true
    } catch {
      return false
    }
  }

  async bridge(channelId: string, message: Envelope, timeoutMs: number): Promise<Envelope> {
    let data: Uint8Array
    try {
      const msg = await this.#nc.request(
        `${this.#prefix}.merchant.${token(channelId)}`,
        JSON.stringify({ kind: 'bridge', message }),
        // The merchant's instance times out first and says so; this is the backstop.
        { timeout: timeoutMs + 1000 },
      )
      data = msg.data
    } catch (err) {
      if (err instanceof RequestError && err.isNoResponders())
        throw new PaylinkError('PL5002', 'the merchant is not connected')
      throw new PaylinkError('PL5006', 'the merchant did not answer in time', { cause: err })
    }
    const answer = parseJson(bridgeReply, data)
    if (answer !== undefined && 'error' in answer) throw new PaylinkError(answer.error, answer.detail)
    const reply = answer === undefined ? undefined : parseEnvelope(answer.reply)
    if (reply === undefined) throw new PaylinkError('PL9001', 'unreadable bridge reply from another instance')
    return reply
  }

  #publish(channelId: string, event: object): void {
    try {
      this.#nc.publish(`${this.#prefix}.ch.${token(channelId)}`, JSON.stringify(event))
    } catch (err) {
      // The message is in the store's queue: it reaches the role at its next join.
      this.#logger?.warn({ err, channelId }, 'bus announcement not sent')
    }
  }

  async close(): Promise<void> {
    await this.#nc.drain().catch(() => this.#nc.close())
  }
}

function unsubscriber(sub: Subscription): Detach {
  return () => {
    if (!sub.isClosed()) sub.unsubscribe()
  }
}

function parseJson<T>(schema: z.ZodType<T>, data: Uint8Array): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(new TextDecoder().decode(data)))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

function errorReply(cause: unknown): { error: 'PL5002' | 'PL5006' | 'PL9001'; detail: string } {
  if (cause instanceof PaylinkError && (cause.code === 'PL5002' || cause.code === 'PL5006'))
    return { error: cause.code, detail: cause.message }
  return { error: 'PL9001', detail: 'the merchant instance failed' }
}
