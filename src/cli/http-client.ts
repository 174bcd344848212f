/** A small JSON client for the CLI's calls to running servers; errors become PaylinkErrors. */
import { PaylinkError } from '../core/errors.ts'

/** POSTs `body` as JSON and returns the parsed answer; a non-2xx answer throws with its message. */
export async function postJson<T>(url: string, body: unknown): Promise<T> {
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    })
  } catch (cause) {
    throw new PaylinkError('PL8003', `cannot reach ${new URL(url).origin}: is it running?`, { cause })
  }
  const text = await res.text()
  const json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
  if (!res.ok) {
    const message = typeof json['message'] === 'string' ? json['message'] : `HTTP ${res.status}`
    throw new PaylinkError(isCode(json['reason']) ? json['reason'] : 'PL9001', message)
  }
  return json as T
}

function isCode(value: unknown): value is 'PL7004' {
  return typeof value === 'string' && /^PL\d{4}$/.test(value)
}
