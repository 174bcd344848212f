/**
 * Hybrid bridging routes (PROTOCOLS.md P4 §14.6, model 2): `GET`/`POST /api/v1/payment/{channelId}`
 * (and payd's plural path, defect D6) become `paymentrequest.create` / `payment` over the
 * merchant's socket. POST bodies get §4's checks first: media type (415 `PL1002`), 64 KiB (413
 * `PL1003`), JSON (400 `PL1001`); the body is forwarded as received.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import type { Bridge } from './bridge.ts'
import { bridgeAnswer } from './bridge-answer.ts'
import type { Channels } from './channels.ts'
import { paymentUrlOf } from './urls.ts'

const PAYMENT_TYPES = ['application/json', 'application/bitcoinsv-payment']

export interface BridgeRouteDeps {
  bridge: Bridge
  channels: Channels
  clock: Clock
  publicUrl: string
  maxBody: number
}

type Params = { Params: { channelId: string } }

export function bridgeRoutes(app: FastifyInstance, deps: BridgeRouteDeps): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: deps.maxBody }, (_req, body, done) =>
      done(null, body),
    )
    scope.addHook('onSend', async (_req, reply) => {
      void reply.header('cache-control', 'no-store').header('access-control-allow-origin', '*')
    })
    for (const path of ['/api/v1/payment/:channelId', '/api/v1/payments/:channelId']) {
      // §4: the P4 paths allow CORS from any origin with headers Content-Type, Accept.
      scope.options(path, async (_req, reply) =>
        reply
          .code(204)
          .header('access-control-allow-methods', 'GET, POST, OPTIONS')
          .header('access-control-allow-headers', 'Content-Type, Accept')
          .header('access-control-max-age', '600')
          .send(),
      )
      scope.get<Params>(path, async (req, reply) => {
        await openChannel(deps, req.params.channelId)
        const accept: Record<string, string[]> =
          req.headers.accept === undefined ? {} : { Accept: [req.headers.accept] }
        const reply_ = await deps.bridge.request(req.params.channelId, 'paymentrequest.create', null, accept)
        return answer(
          reply,
          bridgeAnswer('request', reply_, paymentUrlOf(deps.publicUrl, req.params.channelId)),
        )
      })
      scope.post<Params>(path, { bodyLimit: deps.maxBody }, async (req, reply) => {
        const contentType = req.headers['content-type'] ?? ''
        const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
        if (!PAYMENT_TYPES.includes(mediaType)) throw new PaylinkError('PL1002', 'unsupported Content-Type')
        const body = parseJson(req.body)
        await openChannel(deps, req.params.channelId)
        const headers = { 'Content-Type': [contentType] }
        const reply_ = await deps.bridge.request(req.params.channelId, 'payment', body, headers)
        return answer(
          reply,
          bridgeAnswer('payment', reply_, paymentUrlOf(deps.publicUrl, req.params.channelId)),
        )
      })
    }
  })
}

function answer(reply: FastifyReply, a: { status: number; body: unknown }): FastifyReply {
  return reply.code(a.status).type('application/json; charset=utf-8').send(JSON.stringify(a.body))
}

function parseJson(text: unknown): unknown {
  try {
    return JSON.parse(typeof text === 'string' ? text : '')
  } catch {
    throw new PaylinkError('PL1001', 'body is not JSON')
  }
}

/** Unknown channel → 404 `PL5001`; expired or closed → 410 `PL5005`. */
async function openChannel(deps: BridgeRouteDeps, channelId: string): Promise<void> {
  const channel = await deps.channels.get(channelId)
  if (channel === undefined) throw new PaylinkError('PL5001', 'no such channel')
  if (channel.state !== 'open' || deps.clock.now() >= channel.expiresAt) {
    throw new PaylinkError('PL5005', 'the channel is expired or closed')
  }
}
