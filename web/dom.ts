/** Small helpers shared by the pages: the DOM, and fetch with errors a user can read. */

/** The element with `id`, which the page's HTML must have. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`the page has no #${id}`)
  return el as T
}

/** Sets `el`'s text and its `data-status` (the stylesheet colours it). */
export function showStatus(el: HTMLElement, status: string): void {
  el.textContent = status
  el.dataset['status'] = status
}

/** A table cell with `text`; `mono` for ids and hashes. */
export function cell(text: string, mono = false): HTMLTableCellElement {
  const td = document.createElement('td')
  td.textContent = text
  if (mono) td.className = 'mono'
  return td
}

/** `n` satoshis, grouped for reading. */
export function satoshis(n: number): string {
  return `${n.toLocaleString('en')} sat`
}

/** The body of a JSON answer, or an Error carrying the server's message and code. */
export async function jsonAnswer<T>(res: Response): Promise<T> {
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (!res.ok) {
    const b = (body ?? {}) as { message?: string; reason?: string; code?: string }
    throw new Error(
      `${b.message ?? `HTTP ${res.status}`}${(b.reason ?? b.code) ? ` (${b.reason ?? b.code})` : ''}`,
    )
  }
  return body as T
}

/**
 * `fetch`, with a failed connection said plainly: the browser's own message ("Failed to fetch")
 * names neither the server nor the cause.
 */
export async function reach(what: string, url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch {
    throw new Error(`cannot reach ${what} at ${new URL(url, location.href).origin}: is it running?`)
  }
}
