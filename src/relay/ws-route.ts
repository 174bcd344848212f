/**
 * `GET /ws/{channelId}` (PROTOCOLS.md P4 §14.2): every refusal is a plain HTTP ClientError
 * answered in `preValidation`, before any upgrade (defect D3), in the order of the table:
 * unknown 404 `PL5001`, expired or closed 410 `PL5005`, token missing 401 `PL5003`, wrong token
 * or role 403 `PL5004`, customer without merchant 404 `PL5002` (here, within 60 s, or on another
 * instance of a cluster; not on a closing channel, which only hands over its queue), caps 429 `PL1006`. Then the hub
 * takes the connection.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import type { RelayRole } from '../p4/relay-envelope.ts'
import type { Channel, Channels } from './channels.ts'
import { Connection } from './connection.ts'
import { type FrameDeps, onFrame } from './frames.ts'
import type { Hub } from './hub.ts'
import type { IpLimits } from './ip-limits.ts'
import type { RelayQueue } from './queue.ts'
import { bearerOf, secretMatches } from './secrets.ts'

const MAX_CUSTOMERS = 4

export interface WsRouteDeps {
  channels: Channels
  queue: RelayQueue
  hub: Hub
  clock: Clock
  frames: FrameDeps
  limits: IpLimits
  /** Unsent bytes past which a peer is closed with 1013 (§14.7). */
  maxBuffered: number
}

interface Admitted {
  channel: Channel
  role: RelayRole
}

type JoinRequest = FastifyRequest<{ Params: { channelId: string }; Querystring: Record<string, string> }>

export function wsRoute(app: FastifyInstance, deps: WsRouteDeps): void {
  const admitted = new WeakMap<FastifyRequest, Admitted>()
  app.get<{ Params: { channelId: string }; Querystring: Record<string, string> }>(
    '/ws/:channelId',
    {
      websocket: true,
      preValidation: async (req) => {
        admitted.set(req, await admit(deps, req))
      },
    },
    (socket, req) => {
      const entry = admitted.get(req)
      if (entry === undefined) return socket.close(1011, 'not admitted')
      const live = deps.hub.live(entry.channel.id, entry.channel.expiresAt)
      live.closing = entry.channel.state === 'closing'
      const conn = new Connection(entry.role, socket, deps.maxBuffered)
      socket.on('message', (data, isBinary) => onFrame(deps.frames, live, conn, data, isBinary))
      socket.on('pong', () => {
        conn.alive = true
      })
      deps.limits.opened(req.ip)
      socket.on('close', () => {
        deps.limits.closed(req.ip)
        deps.hub.leave(live, conn)
      })
      socket.on('error', () => conn.close(1011, 'error'))
      deps.hub.join(live, conn).catch(() => conn.close(1011, 'join failed'))
    },
  )
}

/** The §14.2 checks, in order; throws the refusal. */
async function admit(deps: WsRouteDeps, req: JoinRequest): Promise<Admitted> {
  const channel = await deps.channels.get(req.params.channelId)
  if (channel === undefined) throw new PaylinkError('PL5001', 'no such channel')
  const role: RelayRole = req.query['internal'] === 'true' ? 'merchant' : 'customer'
  if (await isOver(deps, channel, role)) throw new PaylinkError('PL5005', 'the channel is expired or closed')
  const token = req.query['token'] ?? bearerOf(req.headers.authorization)
  if (token === undefined || token === '') throw new PaylinkError('PL5003', 'no channel token')
  const hash = role === 'merchant' ? channel.merchantTokenHash : channel.customerTokenHash
  if (!secretMatches(hash, token)) throw new PaylinkError('PL5004', 'wrong channel token for this role')
  // A closing channel only hands over what is queued (the proof, §13): no merchant is needed.
  const closing = channel.state === 'closing'
  if (
    role === 'customer' &&
    !closing &&
    !(await deps.hub.merchantReachable(channel.id, channel.merchantSeenAt))
  ) {
    throw new PaylinkError('PL5002', 'the merchant is not connected')
  }
  if (role === 'customer' && (deps.hub.find(channel.id)?.customers.size ?? 0) >= MAX_CUSTOMERS) {
    throw new PaylinkError('PL1006', 'too many customers on this channel')
  }
  if (!deps.limits.admit(req.ip))
    throw new PaylinkError('PL1006', 'too many sockets or joins from this address')
  return { channel, role }
}

/** Expired (state or time), or closing with nothing queued for `role` (§14.5). */
async function isOver(deps: WsRouteDeps, channel: Channel, role: RelayRole): Promise<boolean> {
  if (channel.state === 'expired' || deps.clock.now() >= channel.expiresAt) return true
  if (channel.state !== 'closing') return false
  return (await deps.queue.list(channel.id, role)).length === 0
}
