/**
 * Client of ARC (`bitcoin-sv/arc:pkg/api/arc.yaml`; protocols-p4.md §12.1, §8): the fee policy,
 * `POST /v1/tx` with exactly the headers of §12.1, and `GET /v1/tx/{txid}`. A broadcast's outcome
 * is classified by `arc-classify.ts`; an undecided `txStatus` is polled each second for up to
 * 10 s before it is answered `PL4002`.
 */
import { z } from 'zod'
import { PaylinkError } from '../core/errors.ts'
import type { FeeRates } from '../p4/fees.ts'
import { arcStatusSchema, classifyArcAnswer, classifyStatusBody } from './arc-classify.ts'
import {
  type BroadcastCallback,
  type Broadcaster,
  type BroadcastResult,
  type BroadcastStatus,
  submittedTxid,
  undecided,
} from './broadcast-result.ts'
import { bearer, type HttpOutcome, requestJson } from './http-json.ts'

/** Options of an `ArcClient`. */
export interface ArcClientOptions {
  /** Sent as `Authorization: Bearer {apiKey}`. */
  apiKey?: string
  /** Per request; default 15000 ms (§12.1: "no answer in 15 s" is `PL4001`). */
  timeoutMs?: number
  /** How often an undecided `txStatus` is polled; default 1000 ms. */
  pollIntervalMs?: number
  /** How long it is polled before `PL4002`; default 10000 ms. */
  pollDurationMs?: number
}

/** ARC's policy as fee rates (its one `miningFee` for standard and data bytes) and limits. */
export interface ArcPolicy extends FeeRates {
  limits: { maxTxSize: number; maxScriptSize: number; maxSigOps: number }
  standardFormatSupported?: boolean
}

/** ARC's status of a transaction. */
export interface ArcTxStatus extends BroadcastStatus {
  txStatus: string
}

const policySchema = z.object({
  policy: z.object({
    maxscriptsizepolicy: z.number().nonnegative(),
    maxtxsigopscountspolicy: z.number().nonnegative(),
    maxtxsizepolicy: z.number().nonnegative(),
    miningFee: z.object({ satoshis: z.number().int().nonnegative(), bytes: z.number().int().positive() }),
    standardFormatSupported: z.boolean().optional(),
  }),
})

const TXID_HEX = /^[0-9a-fA-F]{64}$/

/** ARC over HTTP. */
export class ArcClient implements Broadcaster {
  readonly #baseUrl: string
  readonly #apiKey: string | undefined
  readonly #timeoutMs: number
  readonly #pollIntervalMs: number
  readonly #pollDurationMs: number

  constructor(baseUrl: string, opts: ArcClientOptions = {}) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '')
    this.#apiKey = opts.apiKey
    this.#timeoutMs = opts.timeoutMs ?? 15_000
    this.#pollIntervalMs = opts.pollIntervalMs ?? 1000
    this.#pollDurationMs = opts.pollDurationMs ?? 10_000
  }

  /** `GET /v1/policy` (§8: `relayFee` := `miningFee`); throws `PL4001`/`PL4003` when unavailable. */
  async policy(): Promise<ArcPolicy> {
    const { policy } = expectBody(await this.#request('GET', '/v1/policy'), policySchema, 'policy')
    const rate = { satoshis: policy.miningFee.satoshis, bytes: policy.miningFee.bytes }
    return {
      standard: rate,
      data: { ...rate },
      limits: {
        maxTxSize: policy.maxtxsizepolicy,
        maxScriptSize: policy.maxscriptsizepolicy,
        maxSigOps: policy.maxtxsigopscountspolicy,
      },
      ...(policy.standardFormatSupported === undefined
        ? {}
        : { standardFormatSupported: policy.standardFormatSupported }),
    }
  }

  /**
   * `POST /v1/tx` with `{rawTx}` (raw, EF or BEEF hex) and the §12.1 headers; the answer classified
   * by §12.1's table, polling an undecided `txStatus`. Never throws for a remote failure.
   */
  async broadcast(
    tx: string | { rawTx: string },
    callback: BroadcastCallback = {},
  ): Promise<BroadcastResult> {
    const rawTx = typeof tx === 'string' ? tx : tx.rawTx
    const txid = submittedTxid(rawTx)
    const out = await this.#request('POST', '/v1/tx', { rawTx }, submitHeaders(callback))
    if (out.kind === 'failed') return undecided('PL4001', `ARC: ${out.detail}`)
    const verdict = classifyArcAnswer(out.status, out.body, txid)
    if (verdict.status !== 'pending') return verdict
    return txid === undefined
      ? undecided('PL4002', `ARC: ${verdict.txStatus}`)
      : this.#poll(txid, verdict.txStatus)
  }

  /** `GET /v1/tx/{txid}`; `undefined` when ARC does not know it; throws `PL4001`/`PL4003` on failure. */
  async status(txid: string): Promise<ArcTxStatus | undefined> {
    if (!TXID_HEX.test(txid)) return undefined
    const out = await this.#request('GET', `/v1/tx/${txid.toLowerCase()}`)
    if (out.kind === 'answer' && out.status === 404) return undefined
    const body = expectBody(out, arcStatusSchema, 'tx status')
    return {
      txStatus: body.txStatus,
      mined: body.txStatus === 'MINED',
      ...(body.blockHash ? { blockHash: body.blockHash } : {}),
      ...(body.blockHash && body.blockHeight != null ? { blockHeight: body.blockHeight } : {}),
      ...(body.merklePath ? { merklePath: body.merklePath } : {}),
    }
  }

  /** Polls `GET /v1/tx/{txid}` until a decided `txStatus` or the poll duration has passed. */
  async #poll(txid: string, first: string): Promise<BroadcastResult> {
    let last = first
    for (let waited = 0; waited < this.#pollDurationMs; waited += this.#pollIntervalMs) {
      await new Promise((resolve) => setTimeout(resolve, this.#pollIntervalMs))
      const out = await this.#request('GET', `/v1/tx/${txid}`)
      if (out.kind !== 'answer' || out.status !== 200) continue
      const verdict = classifyStatusBody(out.body, txid)
      if (verdict.status !== 'pending') return verdict
      last = verdict.txStatus
    }
    return undecided('PL4002', `ARC still says ${last} after ${this.#pollDurationMs} ms`)
  }

  #request(method: 'GET' | 'POST', path: string, json?: unknown, headers: Record<string, string> = {}) {
    return requestJson(`${this.#baseUrl}${path}`, {
      method,
      headers: { ...headers, ...bearer(this.#apiKey) },
      json,
      timeoutMs: this.#timeoutMs,
    })
  }
}

/** The headers §12.1 sends with a submission, and no others. */
function submitHeaders(callback: BroadcastCallback): Record<string, string> {
  return {
    'X-WaitFor': 'SEEN_ON_NETWORK',
    'X-MaxTimeout': '10',
    ...(callback.callbackUrl === undefined ? {} : { 'X-CallbackUrl': callback.callbackUrl }),
    ...(callback.callbackToken === undefined ? {} : { 'X-CallbackToken': callback.callbackToken }),
  }
}

/** The 2xx body of `out` in `schema`'s shape; otherwise `PL4003` (401/403) or `PL4001`. */
function expectBody<T>(out: HttpOutcome, schema: z.ZodType<T>, what: string): T {
  if (out.kind === 'failed') throw new PaylinkError('PL4001', `ARC ${what}: ${out.detail}`)
  if (out.status === 401 || out.status === 403) {
    throw new PaylinkError('PL4003', `ARC ${what}: our credentials were refused (${out.status})`)
  }
  if (out.status < 200 || out.status >= 300)
    throw new PaylinkError('PL4001', `ARC ${what} answered ${out.status}`)
  const parsed = schema.safeParse(out.body)
  if (!parsed.success) throw new PaylinkError('PL4001', `ARC ${what}: unexpected body`)
  return parsed.data
}
