/**
 * Client of the Block Headers Service (`bitcoin-sv/block-headers-service`; protocols-p4.md §9
 * "Headers"): merkle roots verified in one batch, the longest tip's height, the state of one
 * header. `Authorization: Bearer {key}` when configured, 5 s time-out. It is also an `@bsv/sdk`
 * `ChainTracker`, so `Beef.verify` and `MerklePath.verify` can use it.
 */
import type { ChainTracker } from '@bsv/sdk'
import { z } from 'zod'
import { PaylinkError } from '../core/errors.ts'
import { bearer, type HttpOutcome, requestJson } from './http-json.ts'

/** The service's verdict on a batch of roots (§9): one INVALID root makes the batch INVALID. */
export type RootsVerdict = 'CONFIRMED' | 'INVALID' | 'UNABLE_TO_VERIFY'

/** One root to verify: the merkle root (display-order hex) claimed for a block height. */
export interface RootAtHeight {
  blockHeight: number
  merkleRoot: string
}

/** The state of one header: `LONGEST_CHAIN`, `STALE`, `ORPHAN`…, its height and merkle root. */
export interface HeaderState {
  hash: string
  state: string
  height: number
  merkleRoot: string
}

/** What SPV needs of a header source; `HeadersClient` is the real one, tests may fake it. */
export interface HeaderSource {
  /** Never throws: a failure to ask is `UNABLE_TO_VERIFY`. */
  verifyRoots(items: readonly RootAtHeight[]): Promise<RootsVerdict>
  /** Throws `PL3005` when the service cannot be asked. */
  currentHeight(): Promise<number>
  /** `undefined` for a header the service does not know; throws `PL3005` when it cannot be asked. */
  headerState(hash: string): Promise<HeaderState | undefined>
}

/** Options of a `HeadersClient`. */
export interface HeadersClientOptions {
  /** Sent as `Authorization: Bearer {apiKey}`. */
  apiKey?: string
  /** Per request; default 5000 ms (§9). */
  timeoutMs?: number
}

const HASH_HEX = /^[0-9a-fA-F]{64}$/
const VERDICTS: readonly string[] = ['CONFIRMED', 'INVALID', 'UNABLE_TO_VERIFY'] satisfies RootsVerdict[]

const verifySchema = z.object({ confirmationState: z.string() })
const stateSchema = z.object({
  header: z.object({ hash: z.string().regex(HASH_HEX), merkleRoot: z.string().regex(HASH_HEX) }),
  state: z.string(),
  height: z.number().int().nonnegative(),
})
const tipSchema = z.object({ height: z.number().int().nonnegative() })

/** The Block Headers Service over HTTP. */
export class HeadersClient implements HeaderSource, ChainTracker {
  readonly #baseUrl: string
  readonly #apiKey: string | undefined
  readonly #timeoutMs: number

  constructor(baseUrl: string, opts: HeadersClientOptions = {}) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '')
    this.#apiKey = opts.apiKey
    this.#timeoutMs = opts.timeoutMs ?? 5000
  }

  /**
   * Verifies all `items` in one `POST /api/v1/chain/merkleroot/verify`. A time-out, a network
   * error, any non-2xx answer or an unknown verdict is `UNABLE_TO_VERIFY`. An empty batch has
   * nothing to refute and is `CONFIRMED` without a request.
   */
  async verifyRoots(items: readonly RootAtHeight[]): Promise<RootsVerdict> {
    if (items.length === 0) return 'CONFIRMED'
    const json = items.map((i) => ({ blockHeight: i.blockHeight, merkleRoot: i.merkleRoot.toLowerCase() }))
    const out = await this.#request('/api/v1/chain/merkleroot/verify', json)
    if (out.kind !== 'answer' || out.status < 200 || out.status >= 300) return 'UNABLE_TO_VERIFY'
    const parsed = verifySchema.safeParse(out.body)
    const verdict = parsed.data?.confirmationState
    return verdict !== undefined && VERDICTS.includes(verdict)
      ? (verdict as RootsVerdict)
      : 'UNABLE_TO_VERIFY'
  }

  /** The height of the longest chain's tip (`GET /api/v1/chain/tip/longest`); `PL3005` on failure. */
  async currentHeight(): Promise<number> {
    const out = await this.#request('/api/v1/chain/tip/longest')
    return parseOk(out, tipSchema, 'tip/longest').height
  }

  /** The state of the header `hash` (`GET /api/v1/chain/header/state/{hash}`); `undefined` if unknown. */
  async headerState(hash: string): Promise<HeaderState | undefined> {
    if (!HASH_HEX.test(hash)) return undefined
    const out = await this.#request(`/api/v1/chain/header/state/${hash.toLowerCase()}`)
    if (out.kind === 'answer' && out.status === 404) return undefined
    const body = parseOk(out, stateSchema, 'header/state')
    return {
      hash: body.header.hash.toLowerCase(),
      state: body.state,
      height: body.height,
      merkleRoot: body.header.merkleRoot.toLowerCase(),
    }
  }

  /** `ChainTracker`: true if CONFIRMED, false if INVALID; throws `PL3005` when it cannot tell. */
  async isValidRootForHeight(root: string, height: number): Promise<boolean> {
    const verdict = await this.verifyRoots([{ blockHeight: height, merkleRoot: root }])
    if (verdict === 'UNABLE_TO_VERIFY') {
      throw new PaylinkError('PL3005', `cannot verify merkle root ${root} at height ${height}`)
    }
    return verdict === 'CONFIRMED'
  }

  #request(path: string, json?: unknown): Promise<HttpOutcome> {
    return requestJson(`${this.#baseUrl}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: bearer(this.#apiKey),
      json,
      timeoutMs: this.#timeoutMs,
    })
  }
}

/** The body of a 2xx answer in `schema`'s shape, else `PL3005`: the service could not be used. */
function parseOk<T>(out: HttpOutcome, schema: z.ZodType<T>, what: string): T {
  if (out.kind === 'failed') throw new PaylinkError('PL3005', `headers service ${what}: ${out.detail}`)
  if (out.status < 200 || out.status >= 300) {
    throw new PaylinkError('PL3005', `headers service ${what} answered ${out.status}`)
  }
  const parsed = schema.safeParse(out.body)
  if (!parsed.success) throw new PaylinkError('PL3005', `headers service ${what}: unexpected body`)
  return parsed.data
}
