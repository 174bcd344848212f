/**
 * Error answers of the P4 servers, merchant and relay (PROTOCOLS.md P4 §11): a PaylinkError with
 * a field map becomes the validation body `{errors, reason}`; any other becomes a ClientError
 * with the legacy code where one exists; 503s carry `Retry-After`. A defect is 500 `PL9001`,
 * never a client's fault. (`src/server` holds what the fastify servers share.)
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isPaylinkError, PaylinkError } from '../core/errors.ts'
import { clientErrorBody, validationErrorBody } from '../p4/client-error.ts'
import type { FieldErrors } from '../p4/field-errors.ts'

/** Seconds a client should wait before retrying, per 503 reason. */
const RETRY_AFTER: Partial<Record<string, number>> = {
  PL1006: 60,
  PL3005: 10,
  PL4001: 5,
  PL4002: 5,
  PL4003: 60,
  PL8007: 10,
}

/** Maps fastify's own client errors to catalogue codes; anything unknown is our defect. */
export function toPaylinkError(err: FastifyError): PaylinkError {
  if (isPaylinkError(err)) return err
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PaylinkError('PL1003', 'body over the limit')
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new PaylinkError('PL1002', 'unsupported Content-Type')
  if (err.statusCode === 400) return new PaylinkError('PL1001', 'body is not JSON')
  return new PaylinkError('PL9001', 'internal error', { cause: err })
}

/** The body of an error answer: the validation body when the error names fields, else a ClientError. */
export function errorBody(err: PaylinkError): Record<string, unknown> {
  const errors = err.details?.['errors'] as FieldErrors | undefined
  return errors !== undefined
    ? { ...validationErrorBody(errors, err.code) }
    : { ...clientErrorBody(err.code, err.message) }
}

/** fastify error handler for every route of a P4 server. */
export function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = toPaylinkError(err)
  if (known.status >= 500) req.log.error({ err, code: known.code }, 'request failed')
  const retry = RETRY_AFTER[known.code]
  if (retry !== undefined) void reply.header('retry-after', String(retry))
  if (known.code === 'PL1007') void reply.header('www-authenticate', 'Bearer')
  return reply.code(known.status).type('application/json; charset=utf-8').send(errorBody(known))
}

/** fastify not-found handler: 404 `PL1008` (legacy code `404`). */
export function handleNotFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(errorBody(new PaylinkError('PL1008', `no route ${req.method} ${req.url}`)))
}
