/**
 * Sending a Payment over a relay channel (PROTOCOLS.md P4 §14.4, model 3): join the channel of
 * the payment's URI, send `payment` (header `Content-Type`), await `payment.ack` or
 * `payment.error` with the same `correlationId`. Classified as over REST (`send-payment.ts`):
 * an ACK with `error` 0 → acked, `error` > 0 or `payment.error` → refused with the merchant's
 * reason, no answer within the time-out → undecided (the same bytes are sent again later).
 */
import { parseAck, type ReadAck } from '../p4/payment-ack.ts'
import { parsePaymentUri } from '../p4/uri.ts'
import { readRefusal } from './host-failure.ts'
import type { HttpOptions } from './http-request.ts'
import type { PaymentMessage } from './payment-message.ts'
import type { SendOutcome } from './send-payment.ts'
import { WsChannel } from './ws-channel.ts'

/** Whether a payment goes over a relay channel: its `paymentUrl` is a websocket URL. */
export function isWebsocketUrl(paymentUrl: string): boolean {
  return /^wss?:\/\//i.test(paymentUrl)
}

/** Sends `message` on the channel of `uri` (the URI the request came from, with its token). */
export async function sendPaymentOverWs(
  uri: string,
  message: PaymentMessage,
  txid: string,
  http: HttpOptions,
): Promise<SendOutcome> {
  const parsed = parsePaymentUri(uri, { allowInsecure: http.allowInsecure === true })
  const timeoutMs = http.timeoutMs ?? 30_000
  const joined = await WsChannel.join(parsed.url, parsed.channelId ?? '', timeoutMs)
  // Even a refused join is no verdict: an earlier send of these bytes may have been delivered.
  if (joined.kind !== 'joined') return { kind: 'undecided', detail: joined.detail }
  try {
    const reply = await joined.channel.request(
      { type: 'payment', body: JSON.parse(message.body), headers: { 'Content-Type': [message.contentType] } },
      ['payment.ack', 'payment.error'],
      timeoutMs,
    )
    if (reply === undefined) return { kind: 'undecided', detail: `no payment.ack within ${timeoutMs} ms` }
    if (reply.type === 'payment.error') {
      const refusal = readRefusal(400, reply.body)
      return { kind: 'refused', reason: refusal.reason, memo: refusal.message, body: reply.body }
    }
    return classifyAck(reply.body, txid)
  } finally {
    joined.channel.close()
  }
}

function classifyAck(body: unknown, txid: string): SendOutcome {
  let ack: ReadAck
  try {
    ack = parseAck(body)
  } catch {
    return { kind: 'undecided', detail: 'a payment.ack that cannot be read' }
  }
  if (ack.txid !== undefined && ack.txid.toLowerCase() !== txid) {
    return { kind: 'undecided', detail: `the ACK names transaction ${ack.txid}, not ${txid}` }
  }
  if (ack.error === 0) return { kind: 'acked', ack, body }
  return { kind: 'refused', reason: ack.reason ?? 'PL2010', memo: ack.memo, body }
}
