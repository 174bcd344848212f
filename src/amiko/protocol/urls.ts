/**
 * Payment and link URLs (protocols-amiko.md §1, §2.6): `amikopay://host[:port]/ID[?ws=|wss=<port>]`
 * and `amikolink://host[:port]/name[?key=<node key>]`. The default port 4321 is omitted; IPv6 hosts
 * go in brackets on the wire and come back without them. `key` is paylink's addition so the peer
 * can pin the node key from the URL (§2.3). Unknown query keys are ignored.
 */
import { AmikoError } from './errors.ts'
import { isKey, isLinkName, isPaymentId } from './ids.ts'

/** The default Amiko TCP port. */
export const DEFAULT_PORT = 4321

/** A parsed `amikopay://` URL; `host` without IPv6 brackets. */
export interface PayUrl {
  host: string
  port: number
  id: string
  ws?: number
  wss?: number
}

/** A parsed `amikolink://` URL; `key` is the node key to pin, when the URL carries one. */
export interface LinkUrl {
  host: string
  port: number
  name: string
  key?: string
}

interface Parts {
  host: string
  port: number
  path: string
  query: URLSearchParams
}

function bad(text: string, why: string): AmikoError {
  return new AmikoError('AMIKO_BAD_URL', `${why}: ${text}`)
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65_535
}

function portOf(text: string, value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN
  if (!isPort(port)) throw bad(text, 'bad port')
  return port
}

function split(text: string, scheme: string): Parts {
  let url: URL
  try {
    url = new URL(text)
  } catch (cause) {
    throw new AmikoError('AMIKO_BAD_URL', `not a URL: ${text}`, { cause })
  }
  if (url.protocol !== `${scheme}:`) throw bad(text, `not ${scheme}://`)
  if (url.hostname === '') throw bad(text, 'no host')
  if (url.username !== '' || url.password !== '') throw bad(text, 'user info not allowed')
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = url.port === '' ? DEFAULT_PORT : portOf(text, url.port)
  return { host, port, path: url.pathname.slice(1), query: url.searchParams }
}

function authority(host: string, port: number | undefined): string {
  if (host === '' || /[/?#@\s[\]]/.test(host)) throw new AmikoError('AMIKO_BAD_URL', `bad host: ${host}`)
  const shown = host.includes(':') ? `[${host}]` : host
  if (port === undefined || port === DEFAULT_PORT) return shown
  if (!isPort(port)) throw new AmikoError('AMIKO_BAD_URL', `bad port: ${port}`)
  return `${shown}:${port}`
}

// `.` and `..` pass the ID charset but are dot segments a URL parser removes (WHATWG URL path).
function isPathSafe(segment: string): boolean {
  return segment !== '.' && segment !== '..'
}

function optionalPort(text: string, query: URLSearchParams, key: string): number | undefined {
  const value = query.get(key)
  return value === null ? undefined : portOf(text, value)
}

/** `amikopay://host[:port]/ID`, with `?ws=`/`?wss=` when given; throws `AMIKO_BAD_URL` on bad parts. */
export function formatPayUrl(url: {
  host: string
  port?: number
  id: string
  ws?: number
  wss?: number
}): string {
  if (!isPaymentId(url.id) || !isPathSafe(url.id))
    throw new AmikoError('AMIKO_BAD_URL', `bad payment ID: ${url.id}`)
  const query = new URLSearchParams()
  for (const key of ['ws', 'wss'] as const) {
    const port = url[key]
    if (port === undefined) continue
    if (!isPort(port)) throw new AmikoError('AMIKO_BAD_URL', `bad ${key} port: ${port}`)
    query.set(key, String(port))
  }
  const search = query.size > 0 ? `?${query}` : ''
  return `amikopay://${authority(url.host, url.port)}/${url.id}${search}`
}

/** Parses an `amikopay://` URL; throws `AmikoError` `AMIKO_BAD_URL`. */
export function parsePayUrl(text: string): PayUrl {
  const { host, port, path, query } = split(text, 'amikopay')
  if (!isPaymentId(path)) throw bad(text, 'bad payment ID')
  const ws = optionalPort(text, query, 'ws')
  const wss = optionalPort(text, query, 'wss')
  return { host, port, id: path, ...(ws === undefined ? {} : { ws }), ...(wss === undefined ? {} : { wss }) }
}

/** `amikolink://host[:port]/name`, with `?key=` when given; throws `AMIKO_BAD_URL` on bad parts. */
export function formatLinkUrl(url: { host: string; port?: number; name: string; key?: string }): string {
  if (!isLinkName(url.name) || !isPathSafe(url.name))
    throw new AmikoError('AMIKO_BAD_URL', `bad link name: ${url.name}`)
  if (url.key !== undefined && !isKey(url.key))
    throw new AmikoError('AMIKO_BAD_URL', `bad node key: ${url.key}`)
  const search = url.key === undefined ? '' : `?key=${url.key}`
  return `amikolink://${authority(url.host, url.port)}/${url.name}${search}`
}

/**
 * Parses an `amikolink://` URL; throws `AmikoError` `AMIKO_BAD_URL`, also for a `key` that is
 * present but not a compressed key (a pin must not be dropped silently). Hex case is normalised.
 */
export function parseLinkUrl(text: string): LinkUrl {
  const { host, port, path, query } = split(text, 'amikolink')
  if (!isLinkName(path)) throw bad(text, 'bad link name')
  const key = query.get('key')?.toLowerCase()
  if (key === undefined) return { host, port, name: path }
  if (!isKey(key)) throw bad(text, 'bad node key')
  return { host, port, name: path, key }
}
