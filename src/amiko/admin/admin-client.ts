/**
 * The CLI's client of a running node's admin API (`admin-server.ts`), found through
 * `DIR/admin.json`. Uses `node:http` rather than `fetch` so that a long `confirm` is not cut by
 * fetch's fixed 300 s header time-out.
 */
import { request } from 'node:http'
import { PaylinkError } from '../../core/errors.ts'
import type {
  Balance,
  NodeSummary,
  PaymentLogLine,
  PaymentRequest,
  PayOffer,
  PayOutcome,
} from '../node/types.ts'
import { type AdminFile, readAdminFile } from './admin-file.ts'
import type { NodeSnapshot } from './admin-server.ts'

/** Time-out of an ordinary admin call. */
const CALL_TIMEOUT_MS = 60_000

/** An error answer of the admin API: `code` is an `AMIKO_*` or `PL*` code. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError'
  readonly code: string
  readonly status: number

  constructor(code: string, status: number, message: string) {
    super(message)
    this.code = code
    this.status = status
  }
}

/** Calls the admin API of one running node. */
export class AdminClient {
  readonly #admin: AdminFile

  constructor(admin: AdminFile) {
    this.#admin = admin
  }

  /** The client of the node running with `--dir dir`; throws `PL8003` when none is. */
  static forDir(dir: string): AdminClient {
    const admin = readAdminFile(dir)
    if (admin === undefined)
      throw new PaylinkError(
        'PL8003',
        `no node running with --dir ${dir} (start one with paylink node start --dir ${dir})`,
      )
    return new AdminClient(admin)
  }

  makeLink(name: string, remote?: string): Promise<{ url: string }> {
    return this.#call('POST', '/links', { name, ...(remote === undefined ? {} : { remote }) })
  }

  deposit(link: string, amount: number, remoteAmount?: number): Promise<{ channelIndex: number }> {
    const body = { amount, ...(remoteAmount === undefined ? {} : { remoteAmount }) }
    return this.#call('POST', `/links/${encodeURIComponent(link)}/deposit`, body)
  }

  makeMeetingPoint(id: string): Promise<{ id: string }> {
    return this.#call('POST', '/meeting-points', { id })
  }

  request(amount: number, receipt: string): Promise<PaymentRequest> {
    return this.#call('POST', '/requests', { amount, receipt })
  }

  pay(url: string): Promise<PayOffer> {
    return this.#call('POST', '/payments', { url })
  }

  /** Waits, with no time-out, until the payment is committed or cancelled. */
  confirm(payer: string, agree: boolean): Promise<PayOutcome> {
    return this.#call('POST', `/payments/${encodeURIComponent(payer)}/confirm`, { agree }, 0)
  }

  list(): Promise<NodeSummary> {
    return this.#call('GET', '/state')
  }

  balance(): Promise<Balance> {
    return this.#call('GET', '/balance')
  }

  payments(): Promise<PaymentLogLine[]> {
    return this.#call('GET', '/payments')
  }

  /** Test hook: arms a crash point (the node must run with PAYLINK_AMIKO_TEST_HOOKS=1). */
  armCrash(point: string | null): Promise<{ armed: string | null }> {
    return this.#call('POST', '/test/crash', { point })
  }

  /** Test hook: the whole state and payment log (the node must run with PAYLINK_AMIKO_TEST_HOOKS=1). */
  snapshot(): Promise<NodeSnapshot> {
    return this.#call('GET', '/test/snapshot')
  }

  withdraw(link: string, channel: number): Promise<{ link: string; channel: number }> {
    return this.#call('POST', `/links/${encodeURIComponent(link)}/channels/${channel}/withdraw`, {})
  }

  #call<T>(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
    const url = new URL(path, this.#admin.url)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const headers: Record<string, string> = { authorization: `Bearer ${this.#admin.token}` }
    if (payload !== undefined) headers['content-type'] = 'application/json'
    return new Promise<T>((resolve, reject) => {
      const req = request(url, { method, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          try {
            resolve(answer<T>(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')))
          } catch (err) {
            reject(err)
          }
        })
      })
      req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)))
      req.on('error', (cause) =>
        reject(
          new PaylinkError('PL8003', `cannot reach the node at ${url.origin}: is it running?`, { cause }),
        ),
      )
      req.end(payload)
    })
  }
}

function answer<T>(status: number, text: string): T {
  let json: unknown
  try {
    json = text === '' ? {} : JSON.parse(text)
  } catch (cause) {
    throw new PaylinkError('PL9001', `the admin API answered ${status} with no JSON`, { cause })
  }
  if (status >= 200 && status < 300) return json as T
  const { error, message } = (json ?? {}) as { error?: unknown; message?: unknown }
  throw new AdminApiError(
    typeof error === 'string' ? error : 'PL9001',
    status,
    typeof message === 'string' ? message : `HTTP ${status}`,
  )
}
