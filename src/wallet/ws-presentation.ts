/**
 * Fetching a PaymentRequest over a relay channel (PROTOCOLS.md P4 §2 model 3, §14.4): join the
 * channel of the URI's `r` (`wss://{relay}/ws/{channelId}?token=…`), send
 * `paymentrequest.create` (header `Accept` for the dialect), read `paymentrequest.response` or
 * `paymentrequest.error`. The request is then checked and presented as over REST; its
 * `paymentUrl` must be the channel's `wsUrl`.
 */
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { parsePaymentRequest } from '../p4/parse-payment-request.ts'
import type { P4Network } from '../p4/payment-terms.ts'
import type { PaymentUri } from '../p4/uri.ts'
import { hostFailure } from './host-failure.ts'
import type { HttpOptions } from './http-request.ts'
import { ACCEPT, checkTerms, type Dialect, type Presentation, present } from './presentation.ts'
import { WsChannel } from './ws-channel.ts'

const WS_SCHEMES = { secure: 'wss:', insecure: 'ws:' }

/** Fetches the request of a model-3 `uri` (already parsed as `parsed`) and checks it. */
export async function fetchWsPresentation(
  uri: string,
  parsed: PaymentUri,
  o: { network: P4Network; clock: Clock; http: HttpOptions; dialect?: Dialect },
): Promise<Presentation> {
  const timeoutMs = o.http.timeoutMs ?? 30_000
  const joined = await WsChannel.join(parsed.url, parsed.channelId ?? '', timeoutMs)
  if (joined.kind === 'refused') throw hostFailure(joined.status, joined.body, 'joining the payment channel')
  if (joined.kind === 'failed')
    throw new PaylinkError('PL8005', `cannot join the payment channel: ${joined.detail}`)
  try {
    const reply = await joined.channel.request(
      { type: 'paymentrequest.create', body: null, headers: { Accept: [ACCEPT[o.dialect ?? 'p4']] } },
      ['paymentrequest.response', 'paymentrequest.error'],
      timeoutMs,
    )
    if (reply === undefined) throw new PaylinkError('PL8005', 'the merchant did not answer on the channel')
    if (reply.type === 'paymentrequest.error') throw hostFailure(400, reply.body, 'the payment request')
    const terms = parsePaymentRequest(reply.body)
    checkTerms(terms, o, WS_SCHEMES)
    if (!sameChannel(terms.paymentUrl, parsed.channelId)) {
      throw new PaylinkError('PL1004', `paymentUrl ${terms.paymentUrl} is not the channel of the URI`)
    }
    return present(uri, terms, reply.body)
  } finally {
    joined.channel.close()
  }
}

function sameChannel(paymentUrl: string, channelId: string | undefined): boolean {
  return new URL(paymentUrl).pathname === `/ws/${channelId ?? ''}`
}
