/**
 * The devnet's own endpoints: the faucet (`POST /devnet/faucet`), mining on request
 * (`POST /devnet/mine`) and a status summary (`GET /devnet/status`). They answer any origin
 * (CORS, with the preflight), so a wallet page served by another local server — the merchant's
 * browser wallet demo — can fund itself; the devnet holds development coins only.
 */
import { P2PKH } from '@bsv/sdk'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { MAX_SATOSHIS } from '../../core/amount.ts'
import { PaylinkError } from '../../core/errors.ts'
import type { Faucet } from '../faucet.ts'
import type { Ledger } from '../ledger.ts'

const faucetBody = z.object({
  address: z.string().min(26).max(64),
  satoshis: z.number().int().min(1).max(MAX_SATOSHIS),
})
const mineBody = z.object({ blocks: z.number().int().min(1).max(1000).default(1) })

/** Adds the CORS header to every answer of a route, errors included. */
const cors = {
  onSend: async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header('access-control-allow-origin', '*')
    return payload
  },
}

export function devnetRoutes(app: FastifyInstance, ledger: Ledger, faucet: Faucet): void {
  // The preflight a browser sends before a JSON POST from another origin.
  app.options('/devnet/:name', async (_req, reply) =>
    reply
      .code(204)
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .send(),
  )

  app.post('/devnet/faucet', cors, async (req) => {
    const body = faucetBody.safeParse(req.body)
    if (!body.success)
      throw new PaylinkError(
        'PL7004',
        'body must be {"address": "<P2PKH address>", "satoshis": <integer ≥ 1>}',
      )
    let lockingScript: ReturnType<P2PKH['lock']>
    try {
      lockingScript = new P2PKH().lock(body.data.address)
    } catch {
      throw new PaylinkError('PL7004', `"${body.data.address}" is not a P2PKH address`)
    }
    return faucet.pay(lockingScript, body.data.satoshis)
  })

  app.post('/devnet/mine', cors, async (req) => {
    const body = mineBody.safeParse(req.body ?? {})
    if (!body.success) throw new PaylinkError('PL7004', 'body must be {"blocks": <1–1000>}')
    const tip = await ledger.mine(body.data.blocks)
    return { height: tip.height, hash: tip.hash }
  })

  app.get('/devnet/status', cors, async () => ({
    height: ledger.tip.height,
    hash: ledger.tip.hash,
    mempool: ledger.mempoolSize,
    faucetBalance: faucet.balance(),
  }))
}
