/**
 * Inbound websocket frames (PROTOCOLS.md P4 §14.3, §14.4): text only (binary → close 1003);
 * parsed at this trust boundary into an envelope (else library `error` `PL5008`, the eleventh in
 * a minute → close 1008); `health` echoed to the sender alone; only the types the sender's role may
 * send are forwarded, to the other role only, never back (defect D9); `messageId`, `channelId`,
 * `clientID` filled. Merchant replies awaited by the bridge go to the bridge, not the customers.
 */
import type { RawData } from 'ws'
import type { Clock } from '../core/clock.ts'
import { ERROR_CODES, type ErrorCode } from '../core/error-codes.ts'
import { uuid } from '../core/ids.ts'
import { type Envelope, libraryError, parseEnvelope, ROLE_MAY_SEND } from '../p4/relay-envelope.ts'
import type { Bridge } from './bridge.ts'
import type { Connection } from './connection.ts'
import type { Hub, LiveChannel } from './hub.ts'

/** An ACK with error 0 keeps the channel at least this long, so the proof can arrive (§14.5). */
export const ACK_EXTENSION_MS = 24 * 3600_000
const INVALID_PER_MINUTE = 10

export interface FrameDeps {
  hub: Hub
  bridge: Bridge
  clock: Clock
  /** Records an error-0 ACK on the channel; returns the new `expiresAt`. */
  recordAck: (channelId: string, txid: string | null, until: number) => Promise<number>
}

/** Handles one frame from `conn` on `live`. */
export function onFrame(
  deps: FrameDeps,
  live: LiveChannel,
  conn: Connection,
  data: RawData,
  isBinary: boolean,
) {
  if (isBinary) return conn.close(1003, 'text frames only')
  const message = parse(data)
  if (message === undefined || (message.channelId !== '' && message.channelId !== live.id)) {
    refuse(live, conn, 'PL5008', message)
    return tooManyInvalid(deps.clock, conn) ? conn.close(1008, 'too many invalid frames') : undefined
  }
  const filled: Envelope = {
    ...message,
    messageId: message.messageId === '' ? uuid() : message.messageId,
    channelId: live.id,
    clientID: conn.id,
  }
  if (filled.type === 'health') return void conn.send(JSON.stringify(filled))
  if (!(ROLE_MAY_SEND[conn.role] as readonly string[]).includes(filled.type)) {
    return refuse(live, conn, 'PL5009', filled)
  }
  if (live.closing) return refuse(live, conn, 'PL5005', filled)
  live.mutex.run(() => forward(deps, live, conn, filled)).catch(() => conn.close(1011, 'relay failure'))
}

async function forward(deps: FrameDeps, live: LiveChannel, conn: Connection, message: Envelope) {
  const to = conn.role === 'merchant' ? 'customer' : 'merchant'
  if (conn.role === 'merchant') {
    await noteAck(deps, live, message)
    if (deps.bridge.settle(live.id, message)) return
  }
  const result = await deps.hub.deliver(live, to, message)
  if (result === 'full') refuse(live, conn, 'PL1006', message)
}

async function noteAck(deps: FrameDeps, live: LiveChannel, message: Envelope): Promise<void> {
  if (message.type !== 'payment.ack' || typeof message.body !== 'object' || message.body === null) return
  const body = message.body as Record<string, unknown>
  if (body['error'] !== 0) return
  const txid = typeof body['tx_id'] === 'string' ? body['tx_id'] : null
  live.expiresAt = await deps.recordAck(live.id, txid, deps.clock.now() + ACK_EXTENSION_MS)
}

function parse(data: RawData): Envelope | undefined {
  try {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as Uint8Array).toString('utf8')
    return parseEnvelope(JSON.parse(text))
  } catch {
    return undefined
  }
}

/** Sends the library `error` for `reason` to the sender alone. */
function refuse(live: LiveChannel, conn: Connection, reason: ErrorCode, origin?: Envelope): void {
  const title = ERROR_CODES[reason].title
  const fields = { channelId: live.id, clientId: conn.id, reason, title, description: title }
  void conn.send(JSON.stringify(libraryError(fields, origin)))
}

function tooManyInvalid(clock: Clock, conn: Connection): boolean {
  const now = clock.now()
  conn.invalidFrames = conn.invalidFrames.filter((t) => now - t < 60_000)
  conn.invalidFrames.push(now)
  return conn.invalidFrames.length > INVALID_PER_MINUTE
}
