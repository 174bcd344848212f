/**
 * The node admin API: HTTP + JSON on loopback only, every route behind
 * `Authorization: Bearer <token>`. Its routes mirror the `paylink node` commands; the CLI reaches
 * it through `DIR/admin.json` (`admin-file.ts`) with `AdminClient`.
 */

import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { z } from 'zod'
import { bytesToHex, constantTimeEqual, utf8ToBytes } from '../../core/bytes.ts'
import { PaylinkError } from '../../core/errors.ts'
import { sha256 } from '../../core/hash.ts'
import { randomBytes } from '../../core/ids.ts'
import { listenOn } from '../../server/listen.ts'
import { CRASH_POINTS, type CrashPoint } from '../node/node.ts'
import type { NodeState } from '../node/state.ts'
import type {
  Balance,
  NodeSummary,
  PaymentLogLine,
  PaymentRequest,
  PayOffer,
  PayOutcome,
} from '../node/types.ts'
import { badInput, handleAdminError, handleAdminNotFound } from './admin-errors.ts'
import * as body from './admin-schemas.ts'

/** The part of `AmikoNode` the admin API drives. */
export interface AdminNode {
  makeLink(name: string, remote?: string): Promise<{ url: string }>
  deposit(link: string, amount: number, remoteAmount?: number): Promise<{ channelIndex: number }>
  makeMeetingPoint(id: string): Promise<void>
  request(amount: number, receipt: string): Promise<PaymentRequest>
  pay(url: string): Promise<PayOffer>
  confirm(payer: string, agree: boolean): Promise<PayOutcome>
  list(): NodeSummary
  balance(): Balance
  payments(): Promise<PaymentLogLine[]>
  withdraw(link: string, channel: number): Promise<void>
  /** Test hook (fault injection): arm a crash point; routed only with PAYLINK_AMIKO_TEST_HOOKS=1. */
  armCrash?(point: CrashPoint | undefined): void
  /** Test hook (the ledger-invariant checker): the whole state; routed only with PAYLINK_AMIKO_TEST_HOOKS=1. */
  snapshot?(): NodeState
}

/** `GET /test/snapshot`: the node's whole state with its private key left out, and its payment log. */
export interface NodeSnapshot {
  nodeKey: string
  state: NodeState
  log: PaymentLogLine[]
}

/** The admin API binds this address only: it holds the keys to the node's money. */
export const ADMIN_HOST = '127.0.0.1'
const BODY_LIMIT = 16 * 1024

/** A fresh admin token: 32 random bytes as hex. */
export function newAdminToken(): string {
  return bytesToHex(randomBytes(32))
}

/** Builds the admin app (not listening: `inject()` it in tests, or `startAdminServer`). */
export function buildAdminApp(node: AdminNode, token: string, logger?: Logger): FastifyInstance {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    // `POST /payments/:payer/confirm` answers when the payment ends: no request time-out.
    requestTimeout: 0,
    // …and a stopping node drops such a waiting caller rather than wait for its payment.
    forceCloseConnections: true,
    ...(logger === undefined ? {} : { loggerInstance: logger.child({}, { level: 'warn' }) }),
  }) as unknown as FastifyInstance
  app.setErrorHandler(handleAdminError)
  app.setNotFoundHandler(handleAdminNotFound)
  app.addHook('onRequest', bearerCheck(token))
  adminRoutes(app, node)
  return app
}

function bearerCheck(token: string): (req: FastifyRequest) => Promise<void> {
  const expected = sha256(utf8ToBytes(token))
  return async (req) => {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')
    // Hashing first makes the comparison constant-time whatever the length presented.
    if (match === null || !constantTimeEqual(sha256(utf8ToBytes(match[1] as string)), expected))
      throw new PaylinkError('PL1007', 'missing or wrong admin token')
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {})
  if (!parsed.success) throw badInput(parsed.error.issues)
  return parsed.data
}

function adminRoutes(app: FastifyInstance, node: AdminNode): void {
  app.post('/links', async (req, reply) => {
    const { name, remote } = parse(body.makeLinkBody, req.body)
    return reply.code(201).send(await node.makeLink(name, remote))
  })
  app.post('/links/:name/deposit', async (req) => {
    const { name } = req.params as { name: string }
    const { amount, remoteAmount } = parse(body.depositBody, req.body)
    return node.deposit(name, amount, remoteAmount)
  })
  app.post('/links/:name/channels/:index/withdraw', async (req) => {
    const { name, index } = parse(body.channelParams, req.params)
    await node.withdraw(name, index)
    return { link: name, channel: index }
  })
  app.post('/meeting-points', async (req, reply) => {
    const { id } = parse(body.meetingPointBody, req.body)
    await node.makeMeetingPoint(id)
    return reply.code(201).send({ id })
  })
  app.post('/requests', async (req, reply) => {
    const { amount, receipt } = parse(body.requestBody, req.body)
    return reply.code(201).send(await node.request(amount, receipt))
  })
  app.post('/payments', async (req) => node.pay(parse(body.payBody, req.body).url))
  app.post('/payments/:payer/confirm', async (req) => {
    const { payer } = req.params as { payer: string }
    return node.confirm(payer, parse(body.confirmBody, req.body).agree)
  })
  app.get('/state', async () => node.list())
  app.get('/balance', async () => node.balance())
  app.get('/payments', async () => node.payments())
  if (process.env['PAYLINK_AMIKO_TEST_HOOKS'] === '1') testRoutes(app, node)
}

/**
 * Routes for the fault-injection and invariant tests only, never routed unless the environment
 * asks for them: the snapshot holds every open request's commit token, which a bearer-token
 * holder must not otherwise see.
 */
function testRoutes(app: FastifyInstance, node: AdminNode): void {
  if (node.snapshot !== undefined) {
    const snapshot = node.snapshot.bind(node)
    app.get('/test/snapshot', async (): Promise<NodeSnapshot> => {
      const { nodeKey } = node.list()
      // The private key stays in the process, even for tests.
      const state = { ...snapshot(), privateKey: '' }
      return { nodeKey, state, log: await node.payments() }
    })
  }
  if (node.armCrash !== undefined) {
    const arm = node.armCrash.bind(node)
    app.post('/test/crash', async (req) => {
      const point = (req.body as { point?: unknown } | null)?.point ?? null
      if (point !== null && !(CRASH_POINTS as readonly unknown[]).includes(point))
        throw new PaylinkError('PL1004', `point must be null or one of ${CRASH_POINTS.join(', ')}`)
      arm((point ?? undefined) as CrashPoint | undefined)
      return { armed: point }
    })
  }
}

/** A listening admin server. */
export interface AdminServer {
  url: string
  close(): Promise<void>
}

/** Starts the admin API on `127.0.0.1:port` (0: any free port). */
export async function startAdminServer(
  node: AdminNode,
  options: { token: string; port: number; logger?: Logger },
): Promise<AdminServer> {
  const app = buildAdminApp(node, options.token, options.logger)
  const url = await listenOn(app, options.port, ADMIN_HOST)
  return { url, close: () => app.close() }
}
