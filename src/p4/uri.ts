/**
 * Payment URIs (protocols-p4.md §2): BIP272 `bitcoin:?sv&r=…` and DPP-era `pay:?r=…`, emitted
 * with the exact percent-encoding of §2 and parsed by the wallet, which picks REST (`https`) or
 * the relay websocket (`wss://{relay}/ws/{channelId}?token=…`) from `r`.
 */
import { PaylinkError } from '../core/errors.ts'
import { ID_PATTERN } from '../core/ids.ts'
import { btcToSatoshis } from './btc-amount.ts'
import { isTransportAllowed, parseUrl, type TransportOptions } from './loopback.ts'

// §2: everything outside `A-Z a-z 0-9 - . _ ~ : / ? @` is percent-encoded.
const UNRESERVED = /^[A-Za-z0-9\-._~:/?@]$/
const encoder = new TextEncoder()

/** `%XX` (uppercase) for each UTF-8 byte of one character. */
function percentEncode(char: string): string {
  let out = ''
  for (const byte of encoder.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  return out
}

/** Percent-encodes a URL for the `r` parameter (uppercase hex, UTF-8 for non-ASCII; §2). */
export function encodeR(url: string): string {
  let out = ''
  for (const char of url) out += UNRESERVED.test(char) ? char : percentEncode(char)
  return out
}

/** The BIP272 URI of a payment URL: `bitcoin:?sv&r=…` (the default QR code). */
export function bitcoinUri(paymentUrl: string): string {
  return `bitcoin:?sv&r=${encodeR(paymentUrl)}`
}

/** The DPP-era URI of a payment URL: `pay:?r=…`. */
export function payUri(paymentUrl: string): string {
  return `pay:?r=${encodeR(paymentUrl)}`
}

/** A parsed payment URI: where to fetch the PaymentRequest and over which transport. */
export interface PaymentUri {
  scheme: 'bitcoin' | 'pay'
  /** The `r` URL, percent-decoded once. */
  url: string
  /** `rest` for `https` (models 1, 2), `websocket` for `wss` (model 3). */
  transport: 'rest' | 'websocket'
  /** Model 3: the channel of `/ws/{channelId}`. */
  channelId?: string
  /** Model 3: the customer token of the `r` URL's query. */
  token?: string
  /** The informational BIP21 `amount`, in satoshis (the fetched request wins, BIP72). */
  amount?: number
}

function refuse(reason: string): never {
  throw new PaylinkError('PL1011', `invalid payment URI: ${reason}`)
}

/** Splits the query of a URI into parameters; each value percent-decoded exactly once (§2). */
function parameters(query: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = []
  for (const part of query.split('&')) {
    if (part === '') continue
    const at = part.indexOf('=')
    const name = at < 0 ? part : part.slice(0, at)
    const raw = at < 0 ? '' : part.slice(at + 1)
    try {
      out.push({ name, value: decodeURIComponent(raw) })
    } catch {
      refuse(`parameter ${name} is not valid percent-encoding`)
    }
  }
  return out
}

/** Reads the parameters paylink understands; refuses `req-*`, a second `r`, a valued `sv`. */
function readParameters(query: string): { r: string; amount?: string } {
  let r: string | undefined
  let amount: string | undefined
  for (const { name, value } of parameters(query)) {
    if (name.startsWith('req-')) refuse(`required parameter ${name} is not supported`)
    if (name === 'sv' && value !== '') refuse('sv takes no value')
    if ((name === 'r' && r !== undefined) || (name === 'amount' && amount !== undefined)) {
      refuse(`more than one ${name}`)
    }
    if (name === 'r') r = value
    if (name === 'amount') amount = value
  }
  if (r === undefined) refuse('no r parameter')
  return amount === undefined ? { r } : { r, amount }
}

/** Checks the `r` URL: transport by scheme, and the model-3 path and token. */
function readTarget(
  r: string,
  options: TransportOptions,
): Pick<PaymentUri, 'transport' | 'channelId' | 'token'> {
  const url = parseUrl(r) ?? refuse('r is not an absolute URL')
  if (isTransportAllowed(url, { secure: 'https:', insecure: 'http:' }, options)) return { transport: 'rest' }
  if (!isTransportAllowed(url, { secure: 'wss:', insecure: 'ws:' }, options)) {
    refuse(`r must be https or wss (plain ${url.protocol} only for loopback hosts or with allow-insecure)`)
  }
  const channelId = /^\/ws\/([^/]+)$/.exec(url.pathname)?.[1]
  if (channelId === undefined || !ID_PATTERN.test(channelId)) refuse('websocket r must be /ws/{channelId}')
  const token = url.searchParams.get('token')
  if (token === null || token === '') refuse('websocket r has no token')
  return { transport: 'websocket', channelId, token }
}

/**
 * Parses a payment URI (§2). Throws `PL1011` for any other scheme, a missing or repeated `r`,
 * a `req-` parameter, a malformed `amount`, or an `r` URL the transport rules refuse.
 */
export function parsePaymentUri(text: string, options: TransportOptions = {}): PaymentUri {
  const uri = text.trim()
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase()
  if (scheme !== 'bitcoin' && scheme !== 'pay') refuse('scheme must be bitcoin: or pay:')
  const at = uri.indexOf('?')
  if (at < 0) refuse('no r parameter')
  const { r, amount } = readParameters(uri.slice(at + 1))
  const target = readTarget(r, options)
  const result: PaymentUri = { scheme, url: r, ...target }
  if (amount !== undefined) result.amount = btcToSatoshis(amount) ?? refuse('amount is not decimal BTC')
  return result
}
