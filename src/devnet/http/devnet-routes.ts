/**
 * The devnet's own endpoints: the faucet (`POST /devnet/faucet`), mining on request
 * (`POST /devnet/mine`) and a status summary (`GET /devnet/status`).
 */
import { P2PKH } from '@bsv/sdk'
import type { FastifyInstance } from 'fastify'
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

export function devnetRoutes(app: FastifyInstance, ledger: Ledger, faucet: Faucet): void {
  app.post('/devnet/faucet', async (req) => {
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

  app.post('/devnet/mine', async (req) => {
    const body = mineBody.safeParse(req.body ?? {})
    if (!body.success) throw new PaylinkError('PL7004', 'body must be {"blocks": <1–1000>}')
    const tip = await ledger.mine(body.data.blocks)
    return { height: tip.height, hash: tip.hash }
  })

  app.get('/devnet/status', async () => ({
    height: ledger.tip.height,
    hash: ledger.tip.hash,
    mempool: ledger.mempoolSize,
    faucetBalance: faucet.balance(),
  }))
}
