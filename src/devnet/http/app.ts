/**
 * The devnet's HTTP server: one fastify instance answering ARC (`/v1`), mAPI (`/mapi`), the
 * Block Headers Service (`/api/v1/chain`) and the devnet's own routes (`/devnet`). Bodies may be
 * JSON, hex text or octet-stream; errors on ARC routes are RFC 7807, elsewhere ClientErrors.
 */
import type { PrivateKey } from '@bsv/sdk'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { PaylinkError } from '../../core/errors.ts'
import { toPaylinkError } from '../../server/error-answers.ts'
import type { Faucet } from '../faucet.ts'
import type { Ledger } from '../ledger.ts'
import { bodyLimit, type Policy } from '../params.ts'
import { arcRoutes } from './arc-routes.ts'
import { devnetRoutes } from './devnet-routes.ts'
import { headersRoutes } from './headers-routes.ts'
import { mapiRoutes } from './mapi-routes.ts'
import { clientError, httpProblem } from './problem.ts'

export interface AppDeps {
  ledger: Ledger
  faucet: Faucet
  policy: Policy
  minerKey: PrivateKey
  logger?: Logger
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    bodyLimit: bodyLimit(deps.policy),
    // Request lines are info-level noise for a chain; warnings and errors still reach the log.
    ...(deps.logger === undefined ? {} : { loggerInstance: deps.logger.child({}, { level: 'warn' }) }),
  }) as unknown as FastifyInstance
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => {
    done(null, new Uint8Array(body as Buffer))
  })
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = toPaylinkError(err)
    if (known.status >= 500) req.log.error({ err }, 'devnet request failed')
    const body = req.url.startsWith('/v1/')
      ? httpProblem(known.status, known.title, known.message)
      : clientError(known)
    return reply.code(known.status).send(body)
  })
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(clientError(new PaylinkError('PL1008', `no route ${req.method} ${req.url}`))),
  )
  arcRoutes(app, deps.ledger, deps.policy)
  mapiRoutes(app, deps.ledger, deps.policy, deps.minerKey)
  headersRoutes(app, deps.ledger.chain)
  devnetRoutes(app, deps.ledger, deps.faucet)
  return app
}
