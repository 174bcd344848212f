/**
 * The relay's HTTP server (PROTOCOLS.md P4 §14): health, the channel API, the websocket join,
 * the hybrid bridge and the proof sink. Errors as §11 (the merchant's error answers); limits of
 * §14.7: `maxPayload` per frame (close 1009), headers 10 s, request 30 s, and per IP 120 REST
 * requests a minute (429 `PL1006`, `Retry-After`).
 */
import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { PaylinkError } from '../core/errors.ts'
import { handleError, handleNotFound } from '../server/error-answers.ts'
import { type BridgeRouteDeps, bridgeRoutes } from './bridge-routes.ts'
import { type ChannelRouteDeps, channelRoutes } from './channel-routes.ts'
import type { IpLimits } from './ip-limits.ts'
import { type ProofRouteDeps, proofRoutes } from './proof-routes.ts'
import { type WsRouteDeps, wsRoute } from './ws-route.ts'

export interface RelayAppDeps {
  channels: ChannelRouteDeps
  ws: WsRouteDeps
  bridge: BridgeRouteDeps
  proofs: ProofRouteDeps
  limits: IpLimits
  maxPayload: number
  logger?: Logger
}

export async function buildRelayApp(deps: RelayAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    ...(deps.logger === undefined ? {} : { loggerInstance: deps.logger.child({}, { level: 'warn' }) }),
  }) as unknown as FastifyInstance
  app.server.headersTimeout = 10_000
  await app.register(websocket, { options: { maxPayload: deps.maxPayload } })
  app.setErrorHandler(handleError)
  app.setNotFoundHandler(handleNotFound)
  app.addHook('onRequest', async (req) => {
    if (restCounted(req.url) && !deps.limits.admitRest(req.ip)) {
      throw new PaylinkError('PL1006', 'too many requests from this address')
    }
  })
  app.get('/api/v1/health', async () => ({ status: 'ok' }))
  channelRoutes(app, deps.channels)
  wsRoute(app, deps.ws)
  bridgeRoutes(app, deps.bridge)
  proofRoutes(app, deps.proofs)
  return app
}

/**
 * Whether a request counts toward the REST cap. Not counted: websocket joins (their own join cap),
 * health probes, and the proof sink: broadcasters (ARC, mAPI) call it for every merchant's
 * payments from a few shared addresses, a refused callback may be a lost proof, and each call
 * carries its channel's proof token anyway.
 */
function restCounted(url: string): boolean {
  return !url.startsWith('/ws/') && !url.startsWith('/api/v1/proofs/') && !url.startsWith('/api/v1/health')
}
