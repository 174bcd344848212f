/**
 * The relay's HTTP server (PROTOCOLS.md P4 §14): health, the channel API, the websocket join,
 * the hybrid bridge and the proof sink. Errors as §11 (the merchant's error answers); limits of
 * §14.7: `maxPayload` per frame (close 1009), headers 10 s, request 30 s.
 */
import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { handleError, handleNotFound } from '../server/error-answers.ts'
import { type BridgeRouteDeps, bridgeRoutes } from './bridge-routes.ts'
import { type ChannelRouteDeps, channelRoutes } from './channel-routes.ts'
import { type ProofRouteDeps, proofRoutes } from './proof-routes.ts'
import { type WsRouteDeps, wsRoute } from './ws-route.ts'

export interface RelayAppDeps {
  channels: ChannelRouteDeps
  ws: WsRouteDeps
  bridge: BridgeRouteDeps
  proofs: ProofRouteDeps
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
  app.get('/api/v1/health', async () => ({ status: 'ok' }))
  channelRoutes(app, deps.channels)
  wsRoute(app, deps.ws)
  bridgeRoutes(app, deps.bridge)
  proofRoutes(app, deps.proofs)
  return app
}
