/**
 * Fetching and presenting a PaymentRequest (protocols-p4.md §2, §4–§6): the URI is parsed (a
 * `req-` parameter or a refused transport is `PL1011`, nothing fetched), the request is fetched
 * from `r` in the asked dialect, parsed, and checked: the wallet's network (`PL8006`), not expired
 * (`PL2009`), a `paymentUrl` the transport rules allow. What the customer is shown comes out.
 */
import { sumSatoshis } from '../core/amount.ts'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { isRecord } from '../p4/field-rules.ts'
import { isTransportAllowed, parseUrl } from '../p4/loopback.ts'
import { parsePaymentRequest, type ReceivedPaymentRequest } from '../p4/parse-payment-request.ts'
import type { P4Network } from '../p4/payment-terms.ts'
import { parsePaymentUri } from '../p4/uri.ts'
import { hostFailure } from './host-failure.ts'
import { type HttpOptions, httpRequest, jsonOf, transportOf } from './http-request.ts'

/** A PaymentRequest as the customer is shown it, with what `pay` needs. */
export interface Presentation {
  /** The URI it came from. */
  uri: string
  /** Where the Payment goes (the request's `paymentUrl`). */
  paymentUrl: string
  dialect: 'p4' | 'bip270'
  network: P4Network
  memo: string
  /** Sum of the requested outputs, in satoshis. */
  amount: number
  /** The merchant's name, else the payment host. */
  merchant: string
  /** Milliseconds since the epoch; absent when the request sets none. */
  expiresAt?: number
  /** The request, normalised. */
  terms: ReceivedPaymentRequest
  /** `merchantData` exactly as served: echoed in the Payment. */
  merchantData: unknown
}

/** The dialect to ask for: P4 JSON (`Accept: application/json`) or strict BIP270. */
export type Dialect = 'p4' | 'bip270'

export const ACCEPT: Record<Dialect, string> = {
  p4: 'application/json',
  bip270: 'application/bitcoinsv-paymentrequest',
}

/** Fetches the request of `uri` and checks it for a wallet on `network` at `clock`'s time. */
export async function fetchPresentation(
  uri: string,
  o: { network: P4Network; clock: Clock; http: HttpOptions; dialect?: Dialect },
): Promise<Presentation> {
  const parsed = parsePaymentUri(uri, { allowInsecure: o.http.allowInsecure === true })
  if (parsed.transport !== 'rest') {
    throw new PaylinkError('PL1011', 'invalid payment URI: this wallet pays over REST only (https r)')
  }
  const answer = await httpRequest(parsed.url, {
    method: 'GET',
    headers: { accept: ACCEPT[o.dialect ?? 'p4'] },
    ...transportOf(o.http),
  })
  if (answer.kind === 'failed')
    throw new PaylinkError('PL8005', `cannot fetch the payment request: ${answer.detail}`)
  const body = jsonOf(answer.text)
  if (answer.status !== 200) throw hostFailure(answer.status, body, 'the payment request')
  const terms = parsePaymentRequest(body)
  checkTerms(terms, o)
  return present(uri, terms, body)
}

/** Checks fetched terms: network, expiry, and a `paymentUrl` of the transport's `schemes`. */
export function checkTerms(
  terms: ReceivedPaymentRequest,
  o: { network: P4Network; clock: Clock; http: HttpOptions },
  schemes = { secure: 'https:', insecure: 'http:' },
): void {
  if (terms.network !== o.network) {
    throw new PaylinkError('PL8006', `the request is for ${terms.network}; this wallet is on ${o.network}`)
  }
  if (terms.expirationTimestamp !== undefined && terms.expirationTimestamp < o.clock.now()) {
    throw new PaylinkError(
      'PL2009',
      `the payment request expired at ${new Date(terms.expirationTimestamp).toISOString()}`,
    )
  }
  const url = parseUrl(terms.paymentUrl)
  const allowed = { allowInsecure: o.http.allowInsecure === true }
  if (url === undefined || !isTransportAllowed(url, schemes, allowed)) {
    throw new PaylinkError(
      'PL1004',
      `paymentUrl ${terms.paymentUrl} must be ${schemes.secure.slice(0, -1)} (${schemes.insecure.slice(0, -1)} only for loopback hosts)`,
    )
  }
}

/** What the customer is shown of fetched, checked terms. */
export function present(uri: string, terms: ReceivedPaymentRequest, body: unknown): Presentation {
  const served = isRecord(body) ? (body['merchantData'] ?? body['beneficiary']) : undefined
  const out: Presentation = {
    uri,
    paymentUrl: terms.paymentUrl,
    dialect: terms.dialect,
    network: terms.network,
    memo: terms.memo,
    amount: sumSatoshis(terms.outputs.map((o) => o.amount)),
    merchant: terms.merchant?.name ?? new URL(terms.paymentUrl).host,
    terms,
    merchantData: served ?? terms.merchantData,
  }
  if (terms.expirationTimestamp !== undefined) out.expiresAt = terms.expirationTimestamp
  return out
}
