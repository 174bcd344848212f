/**
 * Client of mAPI 1.5.0 (`bitcoin-sv-specs/brfc-merchantapi`; protocols-p4.md §12.2, §12.3, §8):
 * the fee quote (`policyQuote`, falling back to `feeQuote` on 404), `POST /tx` asking for TSC
 * merkle proofs and double-spend checks at the callback, and the status of a tx with its TSC proof.
 * `baseUrl` includes the API's `/mapi` prefix (the devnet's `urls.mapi`). Every answer must be a
 * JSONEnvelope that verifies (see `mapi-classify.ts`); a fee quote must be signed.
 */
import { z } from 'zod'
import { PaylinkError } from '../core/errors.ts'
import type { FeeRate, FeeRates } from '../p4/fees.ts'
import {
  type BroadcastCallback,
  type Broadcaster,
  type BroadcastResult,
  type BroadcastStatus,
  submittedTxid,
  undecided,
} from './broadcast-result.ts'
import { bearer, type HttpOutcome, requestJson } from './http-json.ts'
import { classifyMapiSubmit, openMapiEnvelope } from './mapi-classify.ts'
import { parseTscProof } from './tsc-proof.ts'

/** Options of a `MapiClient`. */
export interface MapiClientOptions {
  /** The miner's public key (compressed, hex): every signed answer must be signed by it. */
  minerKey?: string
  /** Sent as `Authorization: Bearer {apiKey}` (miners that require a token). */
  apiKey?: string
  /** Per request; default 15000 ms. */
  timeoutMs?: number
}

/** A mAPI fee quote: its standard and data mining rates, valid until `expiresAt` (§8). */
export interface MapiFeeQuote extends FeeRates {
  expiresAt: Date
  /** The key that signed the quote. */
  minerId: string | null
}

const rateSchema = z.object({ satoshis: z.number().int().nonnegative(), bytes: z.number().int().positive() })
const quoteSchema = z.object({
  fees: z.array(z.object({ feeType: z.string(), miningFee: rateSchema })),
  expiryTime: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'not a time'),
})
const statusSchema = z.object({
  returnResult: z.string(),
  blockHash: z.string().nullish(),
  blockHeight: z.number().int().nonnegative().nullish(),
  merkleProof: z.unknown().optional(),
})

const TXID_HEX = /^[0-9a-fA-F]{64}$/

/** mAPI over HTTP. */
export class MapiClient implements Broadcaster {
  readonly #baseUrl: string
  readonly #minerKey: string | undefined
  readonly #apiKey: string | undefined
  readonly #timeoutMs: number

  constructor(baseUrl: string, opts: MapiClientOptions = {}) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '')
    this.#minerKey = opts.minerKey
    this.#apiKey = opts.apiKey
    this.#timeoutMs = opts.timeoutMs ?? 15_000
  }

  /** The current fee quote; throws `PL4001`/`PL4003`, or `PL6005` for a quote that does not verify. */
  async feeQuote(): Promise<MapiFeeQuote> {
    let out = await this.#request('GET', '/policyQuote')
    if (out.kind === 'answer' && out.status === 404) out = await this.#request('GET', '/feeQuote')
    const { payload, publicKey } = this.#trusted(out, 'fee quote', true)
    const parsed = quoteSchema.safeParse(payload)
    if (!parsed.success) throw new PaylinkError('PL4001', 'mAPI fee quote of an unexpected shape')
    const rate = (type: string): FeeRate | undefined => {
      const fee = parsed.data.fees.find((f) => f.feeType === type)?.miningFee
      return fee === undefined ? undefined : { satoshis: fee.satoshis, bytes: fee.bytes }
    }
    const standard = rate('standard')
    if (standard === undefined) throw new PaylinkError('PL4001', 'mAPI fee quote without a standard rate')
    const data = rate('data') ?? { ...standard }
    return { standard, data, expiresAt: new Date(parsed.data.expiryTime), minerId: publicKey }
  }

  /**
   * `POST /tx`; with a callback URL it asks for TSC proofs and double-spend checks there, the
   * token sent as `Bearer {token}` (§12.2). Classified by §12.2; never throws for a remote failure.
   */
  async broadcast(rawTxHex: string, callback: BroadcastCallback = {}): Promise<BroadcastResult> {
    const out = await this.#request('POST', '/tx', submitBody(rawTxHex, callback))
    if (out.kind === 'failed') return undecided('PL4001', `mAPI: ${out.detail}`)
    if (out.status === 401 || out.status === 403) {
      return undecided('PL4003', `mAPI refused our credentials (${out.status})`)
    }
    if (out.status >= 500) return undecided('PL4001', `mAPI answered ${out.status}`)
    const opened = openMapiEnvelope(out.body, this.#minerKey, false)
    if (!opened.ok) return undecided('PL4001', `mAPI answered ${out.status}: ${opened.detail}`)
    return classifyMapiSubmit(opened.payload, submittedTxid(rawTxHex))
  }

  /** `GET /tx/{txid}?merkleProof=true&merkleFormat=TSC`; `undefined` for a tx mAPI does not know. */
  async status(txid: string): Promise<BroadcastStatus | undefined> {
    if (!TXID_HEX.test(txid)) return undefined
    const out = await this.#request('GET', `/tx/${txid.toLowerCase()}?merkleProof=true&merkleFormat=TSC`)
    const parsed = statusSchema.safeParse(this.#trusted(out, 'tx status', false).payload)
    if (!parsed.success) throw new PaylinkError('PL4001', 'mAPI tx status of an unexpected shape')
    const body = parsed.data
    if (body.returnResult !== 'success') return undefined
    const mined = typeof body.blockHash === 'string' && body.blockHash !== ''
    return {
      mined,
      ...(mined ? { blockHash: body.blockHash as string } : {}),
      ...(mined && body.blockHeight != null ? { blockHeight: body.blockHeight } : {}),
      ...(body.merkleProof == null ? {} : { proof: parseTscProof(body.merkleProof) }),
    }
  }

  /** The trusted payload of a 2xx answer; throws `PL4001`/`PL4003`, or `PL6005` for a bad envelope. */
  #trusted(out: HttpOutcome, what: string, requireSigned: boolean) {
    if (out.kind === 'failed') throw new PaylinkError('PL4001', `mAPI ${what}: ${out.detail}`)
    if (out.status === 401 || out.status === 403) {
      throw new PaylinkError('PL4003', `mAPI ${what}: our credentials were refused (${out.status})`)
    }
    if (out.status < 200 || out.status >= 300)
      throw new PaylinkError('PL4001', `mAPI ${what} answered ${out.status}`)
    const opened = openMapiEnvelope(out.body, this.#minerKey, requireSigned)
    if (!opened.ok) throw new PaylinkError('PL6005', `mAPI ${what}: ${opened.detail}`)
    return opened
  }

  #request(method: 'GET' | 'POST', path: string, json?: unknown): Promise<HttpOutcome> {
    return requestJson(`${this.#baseUrl}${path}`, {
      method,
      headers: bearer(this.#apiKey),
      json,
      timeoutMs: this.#timeoutMs,
    })
  }
}

/**
 * The submission body of §12.2. Without a callback URL only `rawtx` is sent: mAPI refuses
 * `merkleProof`/`dsCheck` that have nowhere to go.
 */
function submitBody(rawtx: string, callback: BroadcastCallback): Record<string, unknown> {
  if (callback.callbackUrl === undefined) return { rawtx }
  return {
    rawtx,
    callbackUrl: callback.callbackUrl,
    ...(callback.callbackToken === undefined ? {} : { callbackToken: `Bearer ${callback.callbackToken}` }),
    merkleProof: true,
    merkleFormat: 'TSC',
    dsCheck: true,
  }
}
