/**
 * The relay websocket envelope (PROTOCOLS.md P4 §14.3, the exact keys of
 * `theflyingcodr/sockets:socket.go`) and its message types (§14.4). All eleven keys are always
 * emitted (ElectrumSV demands them); `clientID` has a capital `ID`; headers are Go `http.Header`
 * maps of canonical keys to string arrays. The library `error` message (relay → sender) has its
 * own shape, with lower-case `clientId` and capitalised `errorBody` keys.
 */
import { z } from 'zod'
import { uuid } from '../core/ids.ts'

/** Every message type of §14.4. */
export const RELAY_MESSAGE_TYPES = [
  'join.success',
  'paymentrequest.create',
  'paymentrequest.response',
  'paymentrequest.error',
  'payment',
  'payment.ack',
  'payment.error',
  'proof.create',
  'channel.expired',
  'health',
  'error',
] as const
export type RelayMessageType = (typeof RELAY_MESSAGE_TYPES)[number]

/** What each role may send through the relay to the other role (§14.4). */
export const ROLE_MAY_SEND = {
  customer: ['paymentrequest.create', 'payment'],
  merchant: ['paymentrequest.response', 'paymentrequest.error', 'payment.ack', 'payment.error'],
} as const satisfies Record<string, readonly RelayMessageType[]>
export type RelayRole = keyof typeof ROLE_MAY_SEND

const headersSchema = z.record(z.string(), z.array(z.string()))

/** The envelope as received: keys optional where the relay fills them (§14.3). */
export const envelopeSchema = z.object({
  type: z.string().min(1).max(64),
  messageId: z.string().max(64).optional().default(''),
  correlationId: z.string().max(128).optional().default(''),
  channelId: z.string().max(64).optional().default(''),
  clientID: z.string().max(64).optional().default(''),
  appId: z.string().max(64).optional().default(''),
  userId: z.string().max(64).optional().default(''),
  expiration: z.string().nullable().optional().default(null),
  timestamp: z.string().max(64).optional().default(''),
  headers: headersSchema.nullable().optional().default({}),
  body: z.unknown().optional().default(null),
})

/** An envelope with all eleven keys. */
export interface Envelope {
  type: string
  messageId: string
  correlationId: string
  channelId: string
  clientID: string
  appId: string
  userId: string
  expiration: string | null
  timestamp: string
  headers: Record<string, string[]>
  body: unknown
}

/** Go's `http.CanonicalHeaderKey`: `x-origin-id` → `X-Origin-Id`. */
export function canonicalHeaderKey(key: string): string {
  return key
    .toLowerCase()
    .split('-')
    .map((part) => (part === '' ? part : part[0]!.toUpperCase() + part.slice(1)))
    .join('-')
}

/** Parses a frame's JSON into an envelope with every key set and header keys canonical. */
export function parseEnvelope(json: unknown): Envelope | undefined {
  const parsed = envelopeSchema.safeParse(json)
  if (!parsed.success) return undefined
  const headers: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(parsed.data.headers ?? {})) headers[canonicalHeaderKey(k)] = v
  return { ...parsed.data, expiration: parsed.data.expiration ?? null, headers }
}

/** A new envelope with every key; `messageId` fresh, `timestamp` now (RFC3339 UTC). */
export function envelope(
  fields: Partial<Envelope> & { type: string; channelId: string },
  now = Date.now(),
): Envelope {
  return {
    messageId: uuid(),
    correlationId: '',
    clientID: '',
    appId: 'paylink',
    userId: '',
    expiration: null,
    timestamp: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    headers: {},
    body: null,
    ...fields,
  }
}

/** The library error message of §14.3 (relay → sender only). */
export interface LibraryError {
  type: 'error'
  originType: string
  originBody: unknown
  errorBody: { Title: string; Description: string; ErrCode: string }
  correlationId: string
  appId: string
  userId: string
  channelId: string
  clientId: string
  headers: Record<string, string[]>
}

/** The library error message for `origin` (what the sender sent, when it parsed) with our `reason`. */
export function libraryError(
  fields: { channelId: string; clientId: string; reason: string; title: string; description: string },
  origin?: Partial<Envelope>,
): LibraryError {
  return {
    type: 'error',
    originType: origin?.type ?? '',
    originBody: origin?.body ?? null,
    errorBody: { Title: fields.title, Description: fields.description, ErrCode: fields.reason },
    correlationId: origin?.correlationId ?? '',
    appId: 'p4',
    userId: '',
    channelId: fields.channelId,
    clientId: fields.clientId,
    headers: {},
  }
}
