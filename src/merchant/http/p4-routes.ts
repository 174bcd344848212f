/**
 * The P4 REST endpoints (PROTOCOLS.md P4 §4): `GET` and `POST /api/v1/payment/{paymentId}` (and
 * payd's plural `/api/v1/payments/{paymentId}`), with content negotiation between the P4 JSON
 * and strict BIP270 dialects, `Cache-Control: no-store`, `X-Request-Id` and open CORS.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PaylinkError } from '../../core/errors.ts'
import { ID_PATTERN } from '../../core/ids.ts'
import { parsePayment } from '../../p4/parse-payment.ts'
import { toBip270PaymentRequest, toP4PaymentRequest } from '../../p4/payment-request.ts'
import { bitcoinUri } from '../../p4/uri.ts'
import { crashPoint } from '../crash-point.ts'
import type { PaymentRequests } from '../payment-requests.ts'
import type { Payments } from '../payments.ts'

export interface P4RouteOptions {
  /** Largest Payment body (`--max-body`, default 64 KiB). */
  maxBody: number
  /** Accept `http` proof callback URLs for any host (development only). */
  allowInsecure: boolean
}

const JSON_TYPE = 'application/json; charset=utf-8'

export function p4Routes(
  app: FastifyInstance,
  requests: PaymentRequests,
  payments: Payments,
  opts: P4RouteOptions,
): void {
  app.addHook('onSend', async (req, reply) => {
    if (!req.url.startsWith('/api/v1/payment')) return
    void reply.header('cache-control', 'no-store')
    void reply.header('x-request-id', req.id)
    void reply.header('access-control-allow-origin', '*')
  })
  for (const base of ['/api/v1/payment', '/api/v1/payments']) {
    app.options(`${base}/:id`, async (_req, reply) =>
      reply
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'Content-Type, Accept')
        .code(204)
        .send(),
    )
    app.get(`${base}/:id`, async (req, reply) => servePaymentRequest(req, reply, requests))
    app.post(`${base}/:id`, { bodyLimit: opts.maxBody }, async (req, reply) => {
      const id = paymentId(req)
      const parsed = parsePayment(req.body, req.headers['content-type'] ?? '', {
        allowInsecure: opts.allowInsecure,
      })
      const answer = await payments.receive(id, parsed)
      reply.raw.once('finish', () => crashPoint('ack-sent'))
      return reply.code(answer.status).type(JSON_TYPE).send(answer.body)
    })
  }
}

/** The `{paymentId}` of the path, or 404 when it cannot be one of ours. */
function paymentId(req: FastifyRequest): string {
  const { id } = req.params as { id: string }
  if (!ID_PATTERN.test(id)) throw new PaylinkError('PL1010', `invoice ${id} not found`)
  return id
}

async function servePaymentRequest(req: FastifyRequest, reply: FastifyReply, requests: PaymentRequests) {
  const terms = await requests.terms(paymentId(req))
  const accept = (req.headers.accept ?? '').toLowerCase()
  if (accept.includes('application/bitcoinsv-paymentrequest')) {
    return reply.type('application/json').send(toBip270PaymentRequest(terms))
  }
  if (accept.includes('text/uri-list'))
    return reply.type('text/uri-list').send(`${bitcoinUri(terms.paymentUrl)}\r\n`)
  return reply.type(JSON_TYPE).send(toP4PaymentRequest(terms))
}
