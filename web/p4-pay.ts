/**
 * Paying a P4 URI from the browser (protocols-p4.md §2, §4–§6, §14.4): the same pure protocol
 * code the Node wallet uses (`src/p4`: URI, PaymentRequest and ACK parsers; `src/wallet`'s coin
 * selection and Payment message), with `fetch` for models 1 and 2 and a relay channel for
 * model 3. The transaction pays the request's outputs, its fee by the request's rule, and the
 * change back to the wallet; the Payment carries its ancestry as BEEF (§9).
 */
import { P2PKH, type PrivateKey, Script, Transaction } from '@bsv/sdk'
import { DEFAULT_FEE_RATES, toSatoshisPerKilobyte } from '../src/p4/fees.ts'
import { parsePaymentRequest, type ReceivedPaymentRequest } from '../src/p4/parse-payment-request.ts'
import { parseAck } from '../src/p4/payment-ack.ts'
import { parsePaymentUri } from '../src/p4/uri.ts'
import { planSpend, type SpendPlan } from '../src/wallet/coin-selection.ts'
import { paymentMessage } from '../src/wallet/payment-message.ts'
import { reach } from './dom.ts'
import { RelayChannel } from './relay-channel.ts'
import type { BrowserCoin } from './wallet-store.ts'

const TIMEOUT_MS = 30_000

/** A fetched, checked request and what paying it takes. */
export interface Offer {
  uri: string
  transport: 'rest' | 'websocket'
  terms: ReceivedPaymentRequest
  /** `merchantData` exactly as served (echoed in the Payment). */
  merchantData: unknown
  amount: number
  plan: SpendPlan<BrowserCoin>
}

/** The outcome of a sent Payment. */
export interface Paid {
  txid: string
  tx: Transaction
  beef: string
  memo: string
}

/** Fetches and checks the request of `uri`, and plans its spend from `coins`. */
export async function fetchOffer(
  uri: string,
  coins: readonly BrowserCoin[],
  network: string,
): Promise<Offer> {
  const parsed = parsePaymentUri(uri)
  const body = parsed.transport === 'rest' ? await getRequest(parsed.url) : await wsRequest(parsed)
  const terms = parsePaymentRequest(body)
  if (terms.network !== network)
    throw new Error(`the request is for ${terms.network}; this wallet is on ${network}`)
  if (terms.expirationTimestamp !== undefined && terms.expirationTimestamp < Date.now())
    throw new Error('the payment request has expired')
  const amount = terms.outputs.reduce((n, o) => n + o.amount, 0)
  const rate = toSatoshisPerKilobyte(terms.fees ?? DEFAULT_FEE_RATES)
  const plan = await planSpend(coins, terms.outputs, rate)
  if (plan === undefined)
    throw new Error(`not enough coins for ${amount} satoshis and the fee: fund the wallet`)
  const served = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
  const merchantData = served['merchantData'] ?? served['beneficiary'] ?? terms.merchantData
  return { uri, transport: parsed.transport, terms, merchantData, amount, plan }
}

/** Signs and sends the Payment of `offer`; resolves once the merchant ACKs it. */
export async function pay(offer: Offer, key: PrivateKey): Promise<Paid> {
  const tx = new Transaction()
  for (const coin of offer.plan.coins) {
    tx.addInput({
      sourceTransaction: Transaction.fromHexBEEF(coin.beef, coin.txid),
      sourceOutputIndex: coin.vout,
      unlockingScriptTemplate: new P2PKH().unlock(key),
    })
  }
  for (const o of offer.terms.outputs)
    tx.addOutput({ satoshis: o.amount, lockingScript: Script.fromHex(o.script) })
  if (offer.plan.change > 0)
    tx.addOutput({ satoshis: offer.plan.change, lockingScript: new P2PKH().lock(key.toAddress()) })
  await tx.sign()
  const txid = tx.id('hex')
  const beef = tx.toHexBEEF()
  const message = paymentMessage(offer.terms.dialect, {
    merchantData: offer.merchantData,
    rawTx: tx.toHex(),
    ancestry: beef,
  })
  const answer =
    offer.transport === 'rest' ? await postPayment(offer, message) : await wsPayment(offer, message)
  const ack = parseAck(answer)
  if (ack.txid !== undefined && ack.txid.toLowerCase() !== txid)
    throw new Error(`the ACK names transaction ${ack.txid}, not ${txid}`)
  if (ack.error !== 0)
    throw new Error(`the merchant refused the payment: ${ack.memo} (${ack.reason ?? ack.error})`)
  return { txid, tx, beef, memo: ack.memo }
}

async function getRequest(url: string): Promise<unknown> {
  const res = await reach('the payment server', url, { headers: { accept: 'application/json' } })
  const body = await res.json().catch(() => undefined)
  if (!res.ok) throw new Error(`cannot fetch the payment request: ${describe(body) || `HTTP ${res.status}`}`)
  return body
}

async function postPayment(offer: Offer, message: { body: string; contentType: string }): Promise<unknown> {
  const res = await reach('the payment server', offer.terms.paymentUrl, {
    method: 'POST',
    headers: { 'content-type': message.contentType, accept: 'application/json' },
    body: message.body,
  })
  const body = await res.json().catch(() => undefined)
  // A refusing ACK (422) is still an ACK: parseAck reads its memo and reason.
  if (!res.ok && (typeof body !== 'object' || body === null || !('memo' in body)))
    throw new Error(`the payment was not accepted: ${describe(body) || `HTTP ${res.status}`}`)
  return body
}

async function wsRequest(parsed: { url: string; channelId?: string }): Promise<unknown> {
  const channel = await RelayChannel.join(parsed.url, parsed.channelId ?? '', TIMEOUT_MS)
  try {
    const reply = await channel.request(
      { type: 'paymentrequest.create', body: null, headers: { Accept: ['application/json'] } },
      ['paymentrequest.response', 'paymentrequest.error'],
      TIMEOUT_MS,
    )
    if (reply === undefined) throw new Error('the merchant did not answer on the channel')
    if (reply.type === 'paymentrequest.error')
      throw new Error(`payment request refused: ${describe(reply.body)}`)
    return reply.body
  } finally {
    channel.close()
  }
}

async function wsPayment(offer: Offer, message: { body: string; contentType: string }): Promise<unknown> {
  const parsed = parsePaymentUri(offer.uri)
  const channel = await RelayChannel.join(parsed.url, parsed.channelId ?? '', TIMEOUT_MS)
  try {
    const reply = await channel.request(
      { type: 'payment', body: JSON.parse(message.body), headers: { 'Content-Type': [message.contentType] } },
      ['payment.ack', 'payment.error'],
      TIMEOUT_MS,
    )
    if (reply === undefined) throw new Error('no payment.ack from the merchant')
    if (reply.type === 'payment.error') throw new Error(`payment refused: ${describe(reply.body)}`)
    return reply.body
  } finally {
    channel.close()
  }
}

/** A server's error answer as `message (code)`, or '' when it has neither. */
function describe(body: unknown): string {
  if (typeof body !== 'object' || body === null) return ''
  const b = body as { message?: unknown; reason?: unknown; code?: unknown }
  const code = b.reason ?? b.code
  const message = typeof b.message === 'string' ? b.message : ''
  return typeof code === 'string' ? `${message} (${code})`.trim() : message
}
