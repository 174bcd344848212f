/**
 * mAPI 1.5.0 (`bitcoin-sv-specs/brfc-merchantapi`; PROTOCOLS.md §12.2) as the devnet serves it:
 * fee and policy quotes, submit one or many, transaction status with a TSC merkle proof. Every
 * answer is a JSONEnvelope signed by the miner key (its public key is the `minerId`).
 */
import type { PrivateKey } from '@bsv/sdk'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { signEnvelope } from '../../chain/json-envelope.ts'
import { tscFromMerklePath } from '../../chain/tsc-proof.ts'
import { hexToBytes, isHex } from '../../core/bytes.ts'
import type { Ledger } from '../ledger.ts'
import type { Policy } from '../params.ts'
import type { Subscription } from '../subscription.ts'
import { type SubmitOutcome, submitBytes } from './submit.ts'

const API_VERSION = '1.5.0'
/** How long a fee quote is valid. */
const QUOTE_TTL_MS = 10 * 60 * 1000

const submitBody = z.object({
  rawtx: z.string(),
  callbackUrl: z.string().optional(),
  callbackToken: z.string().optional(),
  merkleProof: z.boolean().optional(),
  merkleFormat: z.string().optional(),
  dsCheck: z.boolean().optional(),
})

export function mapiRoutes(app: FastifyInstance, ledger: Ledger, policy: Policy, minerKey: PrivateKey): void {
  const minerId = minerKey.toPublicKey().toString()
  const envelope = (payload: Record<string, unknown>) => signEnvelope(JSON.stringify(payload), minerKey)
  const head = () => ({
    apiVersion: API_VERSION,
    timestamp: new Date().toISOString(),
    minerId,
    currentHighestBlockHash: ledger.tip.hash,
    currentHighestBlockHeight: ledger.tip.height,
  })
  const quote = () => {
    const rate = { satoshis: policy.fee.satoshis, bytes: policy.fee.bytes }
    return {
      ...head(),
      expiryTime: new Date(Date.now() + QUOTE_TTL_MS).toISOString(),
      fees: ['standard', 'data'].map((feeType) => ({ feeType, miningFee: rate, relayFee: rate })),
    }
  }

  app.get('/mapi/feeQuote', async () => envelope(quote()))

  app.get('/mapi/policyQuote', async () =>
    envelope({
      ...quote(),
      callbacks: [{ ipAddress: '127.0.0.1' }],
      policies: {
        maxtxsizepolicy: policy.maxTxSize,
        maxscriptsizepolicy: policy.maxScriptSize,
        maxtxsigopscountspolicy: policy.maxSigOps,
        acceptnonstdoutputs: true,
        datacarrier: true,
      },
    }),
  )

  app.post('/mapi/tx', async (req, reply) => {
    const parsed = parseSubmit(req)
    if (typeof parsed === 'string')
      return reply.code(400).send(envelope({ ...head(), returnResult: 'failure', resultDescription: parsed }))
    const outcome = await submitBytes(ledger, parsed.bytes, parsed.subscription)
    return envelope({
      ...head(),
      ...(await submitResult(ledger, outcome)),
      txSecondMempoolExpiry: 0,
      warnings: [],
    })
  })

  app.post('/mapi/txs', async (req, reply) => {
    const list = z.array(submitBody).min(1).max(1000).safeParse(req.body)
    if (!list.success)
      return reply.code(400).send(
        envelope({
          ...head(),
          returnResult: 'failure',
          resultDescription: 'body must be an array of {rawtx}',
        }),
      )
    const txs = []
    for (const item of list.data) {
      if (!isHex(item.rawtx) || item.rawtx === '') {
        txs.push({ txid: '', returnResult: 'failure', resultDescription: 'rawtx is not hex' })
        continue
      }
      txs.push(
        await submitResult(ledger, await submitBytes(ledger, hexToBytes(item.rawtx), subscriptionOf(item))),
      )
    }
    const failureCount = txs.filter((t) => t.returnResult === 'failure').length
    return envelope({ ...head(), txSecondMempoolExpiry: 0, txs, failureCount })
  })

  app.get('/mapi/tx/:txid', async (req) => {
    const { txid } = req.params as { txid: string }
    const { merkleProof } = req.query as { merkleProof?: string }
    const state = await ledger.status(txid.toLowerCase())
    if (state === undefined) {
      return envelope({
        ...head(),
        txid,
        returnResult: 'failure',
        resultDescription: 'No such mempool or blockchain transaction',
      })
    }
    const block = state.block
    const path =
      block === undefined || merkleProof !== 'true' ? undefined : await ledger.merklePath(state.txid)
    return envelope({
      ...head(),
      txid: state.txid,
      returnResult: 'success',
      resultDescription: '',
      blockHash: block?.hash ?? null,
      blockHeight: block?.height ?? null,
      confirmations: block === undefined ? 0 : ledger.tip.height - block.height + 1,
      txSecondMempoolExpiry: 0,
      ...(path === undefined
        ? {}
        : { merkleProof: tscFromMerklePath(path, state.txid, block!.hash, 'hash') }),
    })
  })
}

/** The bytes and callback of a `/mapi/tx` body: JSON `{rawtx, …}` or octet-stream with query. */
function parseSubmit(req: FastifyRequest): { bytes: Uint8Array; subscription?: Subscription } | string {
  if (req.body instanceof Uint8Array) {
    const sub = subscriptionOf(req.query as Record<string, unknown>)
    return sub === undefined ? { bytes: req.body } : { bytes: req.body, subscription: sub }
  }
  const body = submitBody.safeParse(req.body)
  if (!body.success) return 'body must be {"rawtx": "<hex>", …}'
  if (!isHex(body.data.rawtx) || body.data.rawtx === '') return 'rawtx is not hex'
  const sub = subscriptionOf(body.data)
  const bytes = hexToBytes(body.data.rawtx)
  return sub === undefined ? { bytes } : { bytes, subscription: sub }
}

function subscriptionOf(args: Record<string, unknown>): Subscription | undefined {
  const url = args['callbackUrl']
  const wantsProof = args['merkleProof'] === true || args['merkleProof'] === 'true'
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || !wantsProof) return undefined
  const token = typeof args['callbackToken'] === 'string' ? args['callbackToken'] : ''
  return { url, token, api: 'mapi', fullStatus: false }
}

async function submitResult(
  ledger: Ledger,
  outcome: SubmitOutcome,
): Promise<Record<string, unknown> & { returnResult: string }> {
  if (outcome.kind === 'accepted') {
    return {
      txid: outcome.txid,
      returnResult: 'success',
      resultDescription: outcome.fresh ? '' : 'Already known',
      conflictedWith: [],
    }
  }
  const conflictedWith = []
  for (const txid of outcome.competingTxs ?? []) {
    const hex = (await ledger.status(txid))?.raw ?? ''
    conflictedWith.push({ txid, size: hex.length / 2, hex })
  }
  return {
    txid: outcome.txid,
    returnResult: 'failure',
    resultDescription: `${outcome.status} ${outcome.detail}`,
    failureRetryable: false,
    conflictedWith,
  }
}
