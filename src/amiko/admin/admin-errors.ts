/**
 * Error answers of the node admin API: `{error: code, message}`. An Amiko code (`AMIKO_*`, from
 * the node or the protocol layer) is the caller's doing and answers 4xx; a PaylinkError answers
 * its catalogue status; anything else is a defect, 500 `PL9001`.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isPaylinkError, PaylinkError } from '../../core/errors.ts'
import { toPaylinkError } from '../../server/error-answers.ts'

/** HTTP status of the Amiko codes that are not 422 (the node understood but refused). */
const AMIKO_STATUS: Partial<Record<string, number>> = {
  AMIKO_BAD_FIELD: 400,
  AMIKO_BAD_JSON: 400,
  AMIKO_BAD_URL: 400,
  AMIKO_UNKNOWN_ID: 404,
  AMIKO_BAD_STATE: 409,
}

/**
 * The code of an Amiko error. Both the protocol's and the node's `AmikoError` carry one; they are
 * recognised by the code's form so the admin API does not depend on either class.
 */
export function amikoCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined
  return typeof code === 'string' && /^AMIKO_[A-Z0-9_]+$/.test(code) ? code : undefined
}

/** The status and body answering `err`. */
export function adminErrorAnswer(err: unknown): { status: number; body: { error: string; message: string } } {
  const code = amikoCode(err)
  if (code !== undefined) {
    return { status: AMIKO_STATUS[code] ?? 422, body: { error: code, message: (err as Error).message } }
  }
  const known = isPaylinkError(err) ? err : toPaylinkError(err as FastifyError)
  return { status: known.status, body: { error: known.code, message: known.message } }
}

/** fastify error handler of the admin API. */
export function handleAdminError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = adminErrorAnswer(err)
  if (status >= 500) req.log.error({ err }, 'admin request failed')
  if (status === 401) void reply.header('www-authenticate', 'Bearer')
  return reply.code(status).send(body)
}

/** fastify not-found handler of the admin API: 404 `PL1008`. */
export function handleAdminNotFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ error: 'PL1008', message: `no route ${req.method} ${req.url}` })
}

/** A 400 `PL1004` naming the first bad field of a failed parse. */
export function badInput(issues: readonly { path: readonly PropertyKey[]; message: string }[]): PaylinkError {
  const issue = issues[0]
  const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.map(String).join('.')
  return new PaylinkError('PL1004', `invalid ${where}: ${issue?.message ?? 'invalid'}`)
}
