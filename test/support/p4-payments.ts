/**
 * A small P4 client for merchant tests: create an invoice, fetch its PaymentRequest, build a
 * transaction paying it, POST a Payment, read the invoice back. Everything goes to 127.0.0.1.
 */
import { LockingScript, OP, P2PKH, type PrivateKey, Script, Transaction } from '@bsv/sdk'
import { admin, type RunningShop } from './merchant.ts'

export type Json = Record<string, unknown>

/** The parts of a P4 PaymentRequest a payer uses. */
export interface Terms {
  body: Json
  outputs: { script: string; amount: number }[]
  merchantData: Json
}

/** A coin a test spends: output `vout` of `source`, locked to `key`. */
export interface Coin {
  source: Transaction
  vout: number
  key: PrivateKey
}

/** Creates an invoice (201 expected) and answers its id and payment URL. */
export async function newInvoice(shop: RunningShop, body: Json = {}) {
  const res = await admin(shop, 'POST', '/api/v1/invoices', {
    satoshis: 5000,
    description: 'coffee',
    ...body,
  })
  if (res.status !== 201) throw new Error(`invoice: ${res.status} ${JSON.stringify(res.body)}`)
  return { id: res.body['id'] as string, url: res.body['paymentUrl'] as string, body: res.body }
}

/** GETs the P4 PaymentRequest at `url`. */
export async function fetchTerms(url: string): Promise<Terms> {
  const res = await fetch(url)
  if (res.status !== 200) throw new Error(`payment request: ${res.status} ${await res.text()}`)
  const body = (await res.json()) as Json
  const outputs = (body['destinations'] as { outputs: Terms['outputs'] }).outputs
  return { body, outputs, merchantData: body['merchantData'] as Json }
}

/** Options of `buildTx`: the fee left to the miner, extra outputs, a data output, a broken signature. */
export interface BuildOptions {
  fee?: number
  /** Bytes of an `OP_FALSE OP_RETURN` data output added after the payments. */
  dataBytes?: number
  /** Changes the change amount after signing, so every signature is invalid. */
  breakSignature?: boolean
}

/** A signed transaction spending `coin` to `outputs`, change back to the coin's key. */
export async function buildTx(
  coin: Coin,
  outputs: { script: string; amount: number }[],
  opts: BuildOptions = {},
): Promise<Transaction> {
  const fee = opts.fee ?? 200
  const tx = new Transaction()
  tx.addInput({
    sourceTransaction: coin.source,
    sourceOutputIndex: coin.vout,
    unlockingScriptTemplate: new P2PKH().unlock(coin.key),
  })
  for (const o of outputs) tx.addOutput({ satoshis: o.amount, lockingScript: Script.fromHex(o.script) })
  if (opts.dataBytes !== undefined) {
    const data = new LockingScript([{ op: OP.OP_FALSE }, { op: OP.OP_RETURN }])
    data.writeBin(new Array<number>(opts.dataBytes).fill(0x61))
    tx.addOutput({ satoshis: 0, lockingScript: data })
  }
  const paid = outputs.reduce((n, o) => n + o.amount, 0)
  const change = coin.source.outputs[coin.vout]!.satoshis! - paid - fee
  if (change > 0) tx.addOutput({ satoshis: change, lockingScript: new P2PKH().lock(coin.key.toAddress()) })
  await tx.sign()
  return opts.breakSignature === true ? withSignaturesBroken(tx) : tx
}

/** A copy of signed `tx` whose last output pays one satoshi less: its signatures no longer commit to it. */
function withSignaturesBroken(tx: Transaction): Transaction {
  const outputs = tx.outputs.map((o, i) =>
    i === tx.outputs.length - 1 ? { ...o, satoshis: o.satoshis! - 1 } : o,
  )
  const inputs = tx.inputs.map(({ unlockingScriptTemplate: _, ...input }) => input)
  return new Transaction(tx.version, inputs, outputs, tx.lockTime)
}

/** A P4 Payment body for `terms` carrying `tx`, with its BEEF as `ancestry` unless told otherwise. */
export function p4Payment(terms: Terms, tx: Transaction, opts: { ancestry?: boolean } = {}): Json {
  return {
    merchantData: terms.merchantData,
    rawTx: tx.toHex(),
    ...(opts.ancestry === false ? {} : { ancestry: tx.toHexBEEF() }),
  }
}

/** The answer to a POST: status, headers, the body as text and parsed. */
export interface Answer {
  status: number
  headers: Headers
  text: string
  json: Json
}

/** POSTs `body` (JSON-encoded unless a string) to `url`. */
export async function post(url: string, body: unknown, contentType = 'application/json'): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  let json: Json = {}
  try {
    json = JSON.parse(text) as Json
  } catch {
    // Not JSON (an empty 201 of the proof sink, for one): `json` stays empty.
  }
  return { status: res.status, headers: res.headers, text, json }
}

/** The invoice as the admin API shows it. */
export async function invoiceOf(shop: RunningShop, id: string): Promise<Json> {
  const res = await admin(shop, 'GET', `/api/v1/invoices/${id}`)
  if (res.status !== 200) throw new Error(`invoice ${id}: ${res.status}`)
  return res.body
}

/** The payment rows the merchant holds for invoice `id`. */
export async function paymentRows(shop: RunningShop, id: string) {
  return shop.store.db.selectFrom('merchant_payments').selectAll().where('invoice_id', '=', id).execute()
}
