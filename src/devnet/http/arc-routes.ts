/**
 * ARC's API (`bitcoin-sv/arc` `pkg/api/arc.yaml`; PROTOCOLS.md §12.1) as the devnet serves it:
 * policy, health, submit one or many (hex text, JSON `{rawTx}` or octet-stream; raw, EF or
 * BEEF), transaction status. Callbacks are registered with `X-CallbackUrl` / `X-CallbackToken`
 * (`X-FullStatusUpdates` adds SEEN_ON_NETWORK); `X-WaitFor: MINED` holds the answer until the
 * transaction is mined or `X-MaxTimeout` seconds (default 5, at most 30) pass.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { hexToBytes, isHex } from '../../core/bytes.ts'
import type { Ledger } from '../ledger.ts'
import type { Policy } from '../params.ts'
import type { Subscription } from '../subscription.ts'
import { arcProblem, httpProblem } from './problem.ts'
import { type SubmitOutcome, submitBytes } from './submit.ts'

const rawTxBody = z.object({ rawTx: z.string() })
const rawTxsBody = z.array(rawTxBody).min(1).max(1000)

export function arcRoutes(app: FastifyInstance, ledger: Ledger, policy: Policy): void {
  app.get('/v1/health', async () => ({ healthy: true, reason: 'no error', version: 'paylink-devnet' }))

  app.get('/v1/policy', async () => ({
    timestamp: new Date().toISOString(),
    policy: {
      maxscriptsizepolicy: policy.maxScriptSize,
      maxtxsigopscountspolicy: policy.maxSigOps,
      maxtxsizepolicy: policy.maxTxSize,
      miningFee: { satoshis: policy.fee.satoshis, bytes: policy.fee.bytes },
      standardFormatSupported: true,
    },
  }))

  app.get('/v1/tx/:txid', async (req, reply) => {
    const { txid } = req.params as { txid: string }
    const body = await statusBody(ledger, txid.toLowerCase())
    if (body === undefined) {
      return reply
        .code(404)
        .send({ ...httpProblem(404, 'Not found', 'The requested resource could not be found'), txid })
    }
    return body
  })

  app.post('/v1/tx', async (req, reply) => {
    const bytes = oneTransaction(req)
    if (typeof bytes === 'string') return reply.code(400).send(httpProblem(400, 'Bad request', bytes))
    const outcome = await submitBytes(ledger, bytes, subscriptionOf(req))
    return answer(reply, await resultBody(ledger, outcome, req))
  })

  app.post('/v1/txs', async (req, reply) => {
    const list = manyTransactions(req)
    if (typeof list === 'string') return reply.code(400).send(httpProblem(400, 'Bad request', list))
    const sub = subscriptionOf(req)
    const results: Record<string, unknown>[] = []
    for (const bytes of list) {
      const outcome = await submitBytes(ledger, bytes, sub === undefined ? undefined : { ...sub })
      results.push(await resultBody(ledger, outcome, req))
    }
    return results
  })
}

function answer(reply: FastifyReply, body: Record<string, unknown>): FastifyReply {
  return reply.code(body['status'] as number).send(body)
}

/** The bytes of the one transaction in a `/v1/tx` body, or why there are none. */
function oneTransaction(req: FastifyRequest): Uint8Array | string {
  const body = req.body
  if (body instanceof Uint8Array) return body
  if (typeof body === 'string') return fromHex(body.trim())
  const parsed = rawTxBody.safeParse(body)
  return parsed.success
    ? fromHex(parsed.data.rawTx)
    : 'body must be {"rawTx": "<hex>"}, hex text or octet-stream'
}

/** The transactions of a `/v1/txs` body: a JSON array of `{rawTx}` or hex text, one per line. */
function manyTransactions(req: FastifyRequest): Uint8Array[] | string {
  const body = req.body
  const hexes =
    typeof body === 'string'
      ? body
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== '')
      : rawTxsBody.safeParse(body).data?.map((t) => t.rawTx)
  if (hexes === undefined || hexes.length === 0) return 'body must be [{"rawTx": "<hex>"}, …] or hex lines'
  const out: Uint8Array[] = []
  for (const hex of hexes) {
    const bytes = fromHex(hex)
    if (typeof bytes === 'string') return bytes
    out.push(bytes)
  }
  return out
}

function fromHex(hex: string): Uint8Array | string {
  return hex !== '' && isHex(hex) ? hexToBytes(hex) : 'rawTx is not hex'
}

function subscriptionOf(req: FastifyRequest): Subscription | undefined {
  const url = header(req, 'x-callbackurl')
  if (url === undefined || !/^https?:\/\//i.test(url)) return undefined
  return {
    url,
    token: header(req, 'x-callbacktoken') ?? '',
    api: 'arc',
    fullStatus: header(req, 'x-fullstatusupdates')?.toLowerCase() === 'true',
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

async function resultBody(
  ledger: Ledger,
  outcome: SubmitOutcome,
  req: FastifyRequest,
): Promise<Record<string, unknown>> {
  if (outcome.kind === 'rejected') return arcProblem(outcome)
  if (header(req, 'x-waitfor')?.toUpperCase() === 'MINED') {
    const seconds = Math.min(Math.max(Number(header(req, 'x-maxtimeout') ?? 5) || 5, 1), 30)
    await ledger.waitMined(outcome.txid, seconds * 1000)
  }
  return (await statusBody(ledger, outcome.txid))!
}

/** ARC's transaction status body, or undefined for an unknown txid. */
export async function statusBody(ledger: Ledger, txid: string): Promise<Record<string, unknown> | undefined> {
  const state = await ledger.status(txid)
  if (state === undefined) return undefined
  const path = state.block === undefined ? undefined : await ledger.merklePath(txid)
  return {
    blockHash: state.block?.hash ?? '',
    blockHeight: state.block?.height ?? 0,
    competingTxs: null,
    extraInfo: '',
    merklePath: path?.toHex() ?? '',
    status: 200,
    timestamp: new Date().toISOString(),
    title: 'OK',
    txStatus: state.status,
    txid,
  }
}
