/**
 * One HTTP(S) request from the wallet to a payment host (protocols-p4.md §4), with a time-out
 * covering the whole answer, a cap on the answer's size, and an optional CA to trust (a merchant
 * with a self-signed certificate). The outcome is a value: an answer with status, content type
 * and text, or why there was none; classifying it is the caller's part.
 */
import http from 'node:http'
import https from 'node:https'

/** How the wallet talks to payment hosts. */
export interface HttpOptions {
  /** PEM certificate(s) trusted for https hosts instead of Node's default list (self-signed merchants). */
  ca?: string | Buffer
  /** Accept plain `http` payment and callback URLs for any host, not only loopback (§2). */
  allowInsecure?: boolean
  /** Per request; default 30 s. */
  timeoutMs?: number
}

/** The request fields `HttpOptions` sets. */
export function transportOf(o: HttpOptions): Pick<WalletRequest, 'ca' | 'timeoutMs'> {
  return {
    ...(o.ca === undefined ? {} : { ca: o.ca }),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
  }
}

/** What a request got back. */
export type HttpAnswer =
  | { kind: 'answer'; status: number; contentType: string; text: string }
  | { kind: 'failed'; detail: string }

/** A request to a payment host. */
export interface WalletRequest {
  method: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /** Whole request; default 30 s. */
  timeoutMs?: number
  /** Largest answer read; default 1 MiB. */
  maxBytes?: number
  /** PEM certificate(s) to trust, in place of Node's default list. */
  ca?: string | Buffer
}

/** Sends `request` to `url`; never throws for network errors, time-outs or oversized answers. */
export function httpRequest(url: string, request: WalletRequest): Promise<HttpAnswer> {
  const target = new URL(url)
  const client = target.protocol === 'https:' ? https : http
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8')
  const headers = { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) }
  return new Promise((resolve) => {
    const req = client.request(target, {
      method: request.method,
      headers,
      ...(request.ca === undefined ? {} : { ca: request.ca }),
      timeout: request.timeoutMs ?? 30_000,
    })
    const fail = (detail: string): void => {
      req.destroy()
      resolve({ kind: 'failed', detail })
    }
    req.on('timeout', () => fail(`no answer from ${target.origin} within ${request.timeoutMs ?? 30_000} ms`))
    req.on('error', (err) => fail(`${target.origin}: ${err.message}`))
    req.on('response', (res) => readAnswer(res, request.maxBytes ?? 1024 * 1024, resolve, fail))
    req.end(body)
  })
}

function readAnswer(
  res: http.IncomingMessage,
  maxBytes: number,
  resolve: (a: HttpAnswer) => void,
  fail: (detail: string) => void,
): void {
  const chunks: Buffer[] = []
  let size = 0
  res.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size > maxBytes) fail(`answer larger than ${maxBytes} bytes`)
    else chunks.push(chunk)
  })
  res.on('error', (err) => fail(err.message))
  res.on('end', () =>
    resolve({
      kind: 'answer',
      status: res.statusCode ?? 0,
      contentType: String(res.headers['content-type'] ?? ''),
      text: Buffer.concat(chunks).toString('utf8'),
    }),
  )
}

/** The answer's text as JSON, or undefined when it is not JSON. */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
