/**
 * The merchant's HTTP server: health, the admin API, the P4 endpoints, the proof sink. JSON
 * bodies of both P4 media types; errors as PROTOCOLS.md P4 §11; explicit limits (§14.7: headers
 * 10 s, request 30 s). HTTPS when a certificate and key are given.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { PaylinkError } from '../../core/errors.ts'
import { handleError, handleNotFound } from '../../server/error-answers.ts'
import type { Invoices } from '../invoices.ts'
import type { PaymentRequests } from '../payment-requests.ts'
import type { Payments } from '../payments.ts'
import type { Proofs } from '../proofs.ts'
import { adminRoutes } from './admin-routes.ts'
import { type P4RouteOptions, p4Routes } from './p4-routes.ts'
import { type PosRouteDeps, posRoutes } from './pos-routes.ts'
import { proofRoutes } from './proof-routes.ts'

export interface MerchantAppDeps {
  invoices: Invoices
  requests: PaymentRequests
  payments: Payments
  proofs: Proofs
  apiKeyHashes: () => readonly Uint8Array[]
  p4: P4RouteOptions
  tls?: { cert: string | Buffer; key: string | Buffer }
  logger?: Logger
  /** The point-of-sale and browser wallet pages (`pos-routes.ts`). */
  pos?: Omit<PosRouteDeps, 'keyHashes'>
}

export function buildMerchantApp(deps: MerchantAppDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.tls === undefined ? {} : { https: { cert: deps.tls.cert, key: deps.tls.key } }),
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    ...(deps.logger === undefined ? {} : { loggerInstance: deps.logger.child({}, { level: 'warn' }) }),
  }) as unknown as FastifyInstance
  app.server.headersTimeout = 10_000
  app.addContentTypeParser('application/bitcoinsv-payment', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string))
    } catch {
      done(new PaylinkError('PL1001', 'body is not JSON'), undefined)
    }
  })
  app.setErrorHandler(handleError)
  app.setNotFoundHandler(handleNotFound)
  app.get('/api/v1/health', async () => ({ status: 'ok' }))
  adminRoutes(app, deps.invoices, deps.apiKeyHashes)
  p4Routes(app, deps.requests, deps.payments, deps.p4)
  proofRoutes(app, deps.proofs)
  if (deps.pos !== undefined) posRoutes(app, { ...deps.pos, keyHashes: deps.apiKeyHashes })
  return app
}
