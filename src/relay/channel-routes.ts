/**
 * The channel API (PROTOCOLS.md P4 §14.1): `POST /api/v1/channels`, `GET` and `DELETE
 * /api/v1/channels/{channelId}`, behind a merchant key (401 `PL1007`). Another key's channel is
 * 404 `N00001`; past 10,000 open channels per key (configurable) → 429 `PL1006`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { schemaFailure } from '../p4/field-errors.ts'
import type { Channel, Channels } from './channels.ts'
import type { Hub } from './hub.ts'
import { matchMerchantKey } from './merchant-keys.ts'
import { bearerOf } from './secrets.ts'
import { paymentUrlOf, rfc3339, wsUrlOf } from './urls.ts'

/** Open channels per merchant key (§14.1). */
export const MAX_OPEN_PER_KEY = 10_000

const createBody = z
  .object({
    ttlSeconds: z.number().int().min(60).max(86_400).optional(),
    reference: z.string().max(64).optional(),
  })
  .nullish()

export interface ChannelRouteDeps {
  channels: Channels
  hub: Hub
  clock: Clock
  publicUrl: string
  defaultTtlSeconds: number
  maxOpenPerKey: number
  keyHashes: () => readonly string[]
}

export function channelRoutes(app: FastifyInstance, deps: ChannelRouteDeps): void {
  const owner = (req: FastifyRequest): string => {
    const hash = matchMerchantKey(deps.keyHashes(), bearerOf(req.headers.authorization) ?? '')
    if (hash === undefined) throw new PaylinkError('PL1007', 'missing or wrong merchant key')
    return hash
  }
  const owned = async (req: FastifyRequest<{ Params: { channelId: string } }>): Promise<Channel> => {
    const hash = owner(req)
    const channel = await deps.channels.get(req.params.channelId)
    if (channel === undefined || channel.ownerHash !== hash)
      throw new PaylinkError('PL5001', 'no such channel')
    return channel
  }

  app.post('/api/v1/channels', async (req, reply) => {
    const hash = owner(req)
    const body = createBody.safeParse(req.body)
    if (!body.success) throw schemaFailure(body.error, 'channel request')
    if ((await deps.channels.openCount(hash)) >= deps.maxOpenPerKey) {
      throw new PaylinkError('PL1006', 'too many open channels for this key')
    }
    const ttl = body.data?.ttlSeconds ?? deps.defaultTtlSeconds
    const created = await deps.channels.create(hash, ttl, body.data?.reference ?? null)
    const id = created.channel.id
    return reply.code(201).send({
      channelId: id,
      merchantToken: created.merchantToken,
      customerToken: created.customerToken,
      proofToken: created.proofToken,
      expiresAt: rfc3339(created.channel.expiresAt),
      paymentUrl: paymentUrlOf(deps.publicUrl, id),
      wsUrl: wsUrlOf(deps.publicUrl, id),
    })
  })

  app.get<{ Params: { channelId: string } }>('/api/v1/channels/:channelId', async (req) => {
    const channel = await owned(req)
    const live = deps.hub.find(channel.id)
    const expired = channel.state === 'expired' || deps.clock.now() >= channel.expiresAt
    return {
      channelId: channel.id,
      state: expired ? 'expired' : channel.state,
      expiresAt: rfc3339(live?.expiresAt ?? channel.expiresAt),
      merchantConnected: live?.merchant !== undefined || (await deps.hub.bus.merchantElsewhere(channel.id)),
      customerCount: live?.customers.size ?? 0,
    }
  })

  app.delete<{ Params: { channelId: string } }>('/api/v1/channels/:channelId', async (req, reply) => {
    const channel = await owned(req)
    await deps.channels.move(channel.id, 'closing')
    await deps.hub.endChannel(channel.id)
    return reply.code(204).send()
  })
}
