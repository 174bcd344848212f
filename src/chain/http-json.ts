/**
 * One JSON request to a chain service (ARC, mAPI, Block Headers Service; protocols-p4.md §9, §12)
 * with a time-out that covers the body as well as the headers. The outcome is a value: an answer
 * with its status and its body (parsed JSON, or undefined when it is not JSON), or why there was
 * none. Classifying it is the caller's part; this file never throws for a remote failure.
 */

/** What a request got back: an HTTP answer, or a failure to get one. */
export type HttpOutcome =
  | { kind: 'answer'; status: number; body: unknown }
  | { kind: 'failed'; timedOut: boolean; detail: string }

/** A request: method, extra headers, a JSON body, and the time-out in milliseconds. */
export interface HttpRequest {
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  json?: unknown
  timeoutMs: number
}

/** Sends `request` to `url`; never throws for network errors, time-outs or bodies that are not JSON. */
export async function requestJson(url: string, request: HttpRequest): Promise<HttpOutcome> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers }
  if (request.json !== undefined) headers['content-type'] = 'application/json'
  try {
    const res = await fetch(url, {
      method: request.method ?? 'GET',
      headers,
      ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
      signal: AbortSignal.timeout(request.timeoutMs),
    })
    return { kind: 'answer', status: res.status, body: parseJson(await res.text()) }
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError'
    const detail = timedOut ? `no answer within ${request.timeoutMs} ms` : describe(err)
    return { kind: 'failed', timedOut, detail }
  }
}

/** `Authorization: Bearer {key}` when a key is configured. */
export function bearer(key: string | undefined): Record<string, string> {
  return key === undefined || key === '' ? {} : { authorization: `Bearer ${key}` }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
  return `${err.message}${cause}`
}
