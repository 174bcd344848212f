/**
 * The validation matrix of PROTOCOLS.md P4 §10, §11 and §16 over loopback: each refusal with its
 * HTTP status and reason, and none of them credits the invoice.
 */
import { Beef, P2PKH, PrivateKey } from '@bsv/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.ts'
import { type RunningDevnet, startDevnet } from '../support/devnet.ts'
import { admin, customer, type RunningShop, startShop } from '../support/merchant.ts'
import {
  buildTx,
  fetchTerms,
  invoiceOf,
  type Json,
  newInvoice,
  p4Payment,
  paymentRows,
  post,
} from '../support/p4-payments.ts'

let net: RunningDevnet
let shop: RunningShop
/** A merchant on the same devnet whose clock the tests move. */
let late: RunningShop
const clock = new ManualClock(Date.now())

beforeAll(async () => {
  net = await startDevnet()
  shop = await startShop({ net })
  late = await startShop({ net, clock })
})
afterAll(async () => {
  await shop.close()
  await late.close()
  await net.close()
})

/** A pending invoice of `shop` with its served terms and a funded coin to pay it from. */
async function setUp(on: RunningShop = shop, body: Json = {}) {
  const invoice = await newInvoice(on, body)
  const terms = await fetchTerms(invoice.url)
  const coin = await customer(on)
  return { ...invoice, terms, coin }
}

/** The invoice is still pending and holds no payment. */
async function expectUncredited(id: string, on: RunningShop = shop, state = 'pending') {
  expect(await invoiceOf(on, id)).toMatchObject({ state, payment: null })
}

/** The broadcaster refused the payment: it is `rejected` and the invoice still pending. */
async function expectRejectedOnly(id: string) {
  expect(await invoiceOf(shop, id)).toMatchObject({ state: 'pending', payment: { state: 'rejected' } })
}

function expectFieldError(answer: Json, field: string, reason: string) {
  expect(answer['reason']).toBe(reason)
  expect(Object.keys(answer['errors'] as Json)).toContain(field)
}

function fiveCallbacks(): Json {
  return Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`http://127.0.0.1:${9000 + n}/cb`, { token: 't' }]))
}

async function broadcasterKnows(txid: string): Promise<boolean> {
  return (await fetch(`${net.urls.arc}/v1/tx/${txid}`)).status === 200
}

describe('replays and paid invoices', () => {
  it('an identical Payment sent again gets the byte-identical ACK with the same 201', async () => {
    const { id, url, terms, coin } = await setUp()
    const body = p4Payment(terms, await buildTx(coin, terms.outputs))
    const first = await post(url, body)
    const again = await post(url, body)
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.text).toBe(first.text)
    expect(await paymentRows(shop, id)).toHaveLength(1)
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid', payment: { state: 'broadcast' } })
  })

  it('a different transaction for a paid invoice is refused 409 D001 PL2007 and credits nothing', async () => {
    const { id, url, terms, coin } = await setUp()
    const paying = await buildTx(coin, terms.outputs)
    expect((await post(url, p4Payment(terms, paying))).status).toBe(201)
    const other = await buildTx(await customer(shop), terms.outputs)
    const answer = await post(url, p4Payment(terms, other))
    expect(answer.status).toBe(409)
    expect(answer.json).toMatchObject({ code: 'D001', reason: 'PL2007' })
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid', payment: { txid: paying.id('hex') } })
    expect(await paymentRows(shop, id)).toHaveLength(1)
    expect(await broadcasterKnows(other.id('hex'))).toBe(false)
  })
})

describe('expiry and fee quotes (injectable clock)', () => {
  it('a Payment after expiry is refused 422 E001 PL2005, not broadcast, and the attempt is logged', async () => {
    const { id, url, terms, coin } = await setUp(late, {
      expiresAt: new Date(clock.now() + 61_000).toISOString(),
    })
    clock.advance(62_000)
    const tx = await buildTx(coin, terms.outputs)
    const answer = await post(url, { ...p4Payment(terms, tx), refundTo: 'alice@example.com' })
    expect(answer.status).toBe(422)
    expect(answer.json).toMatchObject({ code: 'E001', reason: 'PL2005' })
    const attempts = await late.store.db
      .selectFrom('merchant_attempts')
      .selectAll()
      .where('invoice_id', '=', id)
      .execute()
    expect(attempts).toMatchObject([
      { txid: tx.id('hex'), raw_tx: tx.toHex(), refund_to: 'alice@example.com', reason: 'PL2005' },
    ])
    expect(await broadcasterKnows(tx.id('hex'))).toBe(false)
    await expectUncredited(id, late, 'expired')
    const view = await admin(late, 'GET', `/api/v1/invoices/${id}`)
    expect(view.body['lateAttempts']).toEqual([
      { txid: tx.id('hex'), at: expect.any(String), refundTo: 'alice@example.com' },
    ])
    const request = await fetch(url)
    expect(request.status).toBe(422)
    expect(await request.json()).toMatchObject({ code: 'U102', reason: 'PL2009' })
  })

  it('a Payment ACKed before expiry sent again after it gets the same ACK', async () => {
    const { id, url, terms, coin } = await setUp(late, {
      expiresAt: new Date(clock.now() + 61_000).toISOString(),
    })
    const body = p4Payment(terms, await buildTx(coin, terms.outputs))
    const first = await post(url, body)
    expect(first.status).toBe(201)
    clock.advance(62_000)
    const again = await post(url, body)
    expect(again.status).toBe(201)
    expect(again.text).toBe(first.text)
    expect(await invoiceOf(late, id)).toMatchObject({ state: 'paid' })
  })

  it('an expired fee quote is refused 422 E001 PL2006 when the current quote demands more', async () => {
    const { id, url, terms, coin } = await setUp(late)
    // 1 sat / 1000 bytes was served: this ~226-byte transaction owes nothing, and 5 satoshis pass.
    // Then the quote expires and the devnet (the broadcaster) raises its fee to 50 sat / 1000
    // bytes: the current quote asks 11 satoshis.
    expect(terms.body['fees']).toMatchObject({ standard: { miningFee: { satoshis: 1, bytes: 1000 } } })
    const tx = await buildTx(coin, terms.outputs, { fee: 5 })
    const served = net.devnet.policy.fee
    clock.advance(601_000)
    net.devnet.policy.fee = { satoshis: 50, bytes: 1000 }
    try {
      const answer = await post(url, p4Payment(terms, tx))
      expect(answer.status).toBe(422)
      expect(answer.json).toMatchObject({ code: 'E001', reason: 'PL2006' })
    } finally {
      net.devnet.policy.fee = served
    }
    await expectUncredited(id, late)
  })

  it('an expired fee quote still takes a Payment the current quote is content with', async () => {
    clock.advance(601_000) // the 50 sat / 1000 bytes quote of the test above expires
    const { id, url, terms, coin } = await setUp(late)
    expect(terms.body['fees']).toMatchObject({ standard: { miningFee: { satoshis: 1, bytes: 1000 } } })
    const tx = await buildTx(coin, terms.outputs, { fee: 5 })
    clock.advance(601_000)
    const answer = await post(url, p4Payment(terms, tx))
    expect(answer.status, answer.text).toBe(201)
    expect(await invoiceOf(late, id)).toMatchObject({ state: 'paid' })
  })
})

describe('payment rules (400)', () => {
  it('a fee below the served quote is refused 400 PL2003 on field fees', async () => {
    const { id, url, terms, coin } = await setUp()
    // 1 sat / 1000 bytes: 3000 data bytes owe 3 satoshis; 2 are paid.
    const tx = await buildTx(coin, terms.outputs, { fee: 2, dataBytes: 3000 })
    const answer = await post(url, p4Payment(terms, tx))
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, 'fees', 'PL2003')
    await expectUncredited(id)
    expect(await broadcasterKnows(tx.id('hex'))).toBe(false)
  })

  it('an underpayment is refused 400 PL2001 on field transaction, naming the shortfall', async () => {
    const { id, url, terms, coin } = await setUp()
    const tx = await buildTx(coin, [{ ...terms.outputs[0]!, amount: 4999 }])
    const answer = await post(url, p4Payment(terms, tx))
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, 'transaction', 'PL2001')
    expect(JSON.stringify(answer.json['errors'])).toContain('1 satoshis short')
    await expectUncredited(id)
  })

  it('a transaction that pays another script is refused 400 PL2002 on field tx.outputs', async () => {
    const { id, url, terms, coin } = await setUp()
    const elsewhere = (await newInvoice(shop)).id
    const otherScript = (await fetchTerms(`${shop.base}/api/v1/payment/${elsewhere}`)).outputs[0]!.script
    const tx = await buildTx(coin, [{ script: otherScript, amount: 5000 }])
    const answer = await post(url, p4Payment(terms, tx))
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, 'tx.outputs', 'PL2002')
    await expectUncredited(id)
  })

  it('an unparsable transaction is refused 400 PL2004 on field rawTx', async () => {
    const { id, url, terms } = await setUp()
    const answer = await post(url, { merchantData: terms.merchantData, rawTx: '0100000000' })
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, 'rawTx', 'PL2004')
    await expectUncredited(id)
  })

  it('merchantData naming another invoice is refused 400 PL2012 on its paymentReference', async () => {
    const { id, url, terms, coin } = await setUp()
    const other = await newInvoice(shop)
    const tx = await buildTx(coin, terms.outputs)
    const answer = await post(url, {
      ...p4Payment(terms, tx),
      merchantData: { extendedData: { paymentReference: other.id } },
    })
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, 'merchantData.extendedData.paymentReference', 'PL2012')
    await expectUncredited(id)
    await expectUncredited(other.id)
  })

  it('an overpayment is accepted, recorded, and named in the ACK memo', async () => {
    const { id, url, terms, coin } = await setUp()
    const tx = await buildTx(coin, [{ ...terms.outputs[0]!, amount: 5250 }])
    const answer = await post(url, p4Payment(terms, tx))
    expect(answer.status).toBe(201)
    expect(answer.json).toMatchObject({ error: 0, memo: 'overpaid by 250 satoshis' })
    expect(await invoiceOf(shop, id)).toMatchObject({
      state: 'paid',
      payment: { satoshisPaid: 5250, overpaidSatoshis: 250 },
    })
  })
})

describe('SPV (400)', () => {
  it('a bad signature with ancestry is refused 400 PL3006 on field ancestry', async () => {
    const { id, url, terms, coin } = await setUp()
    const tx = await buildTx(coin, terms.outputs, { breakSignature: true })
    const answer = await post(url, p4Payment(terms, tx))
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, 'ancestry', 'PL3006')
    await expectUncredited(id)
    expect(await broadcasterKnows(tx.id('hex'))).toBe(false)
  })

  it('an invoice requiring SPV refuses a Payment without ancestry 400 PL3001', async () => {
    const { id, url, terms, coin } = await setUp(shop, { spvRequired: true })
    expect(terms.body).toMatchObject({ spvRequired: true, ancestryRequired: true })
    const tx = await buildTx(coin, terms.outputs)
    const answer = await post(url, p4Payment(terms, tx, { ancestry: false }))
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, 'ancestry', 'PL3001')
    await expectUncredited(id)
  })

  it('an ancestry whose merkle path was tampered with is refused 400 PL3004', async () => {
    const { id, url, terms, coin } = await setUp(shop, { spvRequired: true })
    const tx = await buildTx(coin, terms.outputs)
    const beef = Beef.fromString(tx.toHexBEEF(), 'hex')
    const sibling = beef.bumps[0]!.path[0]!.find((leaf) => leaf.txid !== true && leaf.hash !== undefined)!
    sibling.hash = 'ab'.repeat(32)
    const answer = await post(url, { ...p4Payment(terms, tx), ancestry: beef.toHex() })
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, 'ancestry', 'PL3004')
    await expectUncredited(id)
  })
})

describe('the broadcaster refuses (422 ACK)', () => {
  it('a bad signature without ancestry is refused by the broadcaster: 422 ACK error 1 PL2010', async () => {
    const { id, url, terms, coin } = await setUp()
    const tx = await buildTx(coin, terms.outputs, { breakSignature: true })
    const answer = await post(url, p4Payment(terms, tx, { ancestry: false }))
    expect(answer.status).toBe(422)
    expect(answer.json).toMatchObject({
      id,
      tx_id: tx.id('hex'),
      error: 1,
      reason: 'PL2010',
      peer_channel: null,
    })
    await expectRejectedOnly(id)
  })

  it('a refused Payment sent again gets its stored 422 ACK; the invoice can still be paid', async () => {
    const { id, url, terms, coin } = await setUp()
    const broken = await buildTx(coin, terms.outputs, { breakSignature: true })
    const body = p4Payment(terms, broken, { ancestry: false })
    const first = await post(url, body)
    expect(first.status).toBe(422)
    const again = await post(url, body)
    expect(again.status).toBe(422)
    expect(again.text).toBe(first.text)
    const good = await buildTx(await customer(shop), terms.outputs)
    expect((await post(url, p4Payment(terms, good))).status).toBe(201)
    expect(await invoiceOf(shop, id)).toMatchObject({ state: 'paid', payment: { txid: good.id('hex') } })
  })

  it('a Payment spending a coin already spent in a block is refused: 422 ACK PL2010', async () => {
    const { id, url, terms, coin } = await setUp()
    const stranger = new P2PKH().lock(PrivateKey.fromRandom().toAddress()).toHex()
    const elsewhere = await buildTx(coin, [{ script: stranger, amount: 1000 }])
    const sent = await post(`${net.urls.arc}/v1/tx`, { rawTx: elsewhere.toHexBEEF() })
    expect(sent.json['txid']).toBe(elsewhere.id('hex'))
    expect((await post(`${net.urls.base}/devnet/mine`, { blocks: 1 })).status).toBe(200)
    const tx = await buildTx(coin, terms.outputs)
    const answer = await post(url, p4Payment(terms, tx))
    expect(answer.status).toBe(422)
    expect(answer.json).toMatchObject({ tx_id: tx.id('hex'), error: 1, reason: 'PL2010' })
    await expectRejectedOnly(id)
  })

  it('a double spend reported by the broadcaster is refused: 422 ACK PL2011', async () => {
    const first = await setUp()
    const second = await setUp()
    const paying = await buildTx(first.coin, first.terms.outputs)
    expect((await post(first.url, p4Payment(first.terms, paying))).status).toBe(201)
    const conflicting = await buildTx(first.coin, second.terms.outputs)
    const answer = await post(second.url, p4Payment(second.terms, conflicting))
    expect(answer.status).toBe(422)
    expect(answer.json).toMatchObject({ id: second.id, error: 1, reason: 'PL2011' })
    await expectRejectedOnly(second.id)
    expect(await invoiceOf(shop, first.id)).toMatchObject({ state: 'paid', payment: { state: 'broadcast' } })
  })
})

describe('the boundary (step 1)', () => {
  it('a body that is not JSON is refused 400 PL1001', async () => {
    const { id, url } = await setUp()
    const answer = await post(url, '{"rawTx": ')
    expect(answer.status).toBe(400)
    expect(answer.json).toMatchObject({ reason: 'PL1001' })
    const bip270 = await post(url, '{"transaction": ', 'application/bitcoinsv-payment')
    expect(bip270.status).toBe(400)
    expect(bip270.json).toMatchObject({ reason: 'PL1001' })
    await expectUncredited(id)
  })

  it('wrong types are refused 400 PL1004 with an errors map naming the field', async () => {
    const { id, url, terms } = await setUp()
    const answer = await post(url, { merchantData: terms.merchantData, rawTx: 5 })
    expect(answer.status).toBe(400)
    expect(answer.json).toEqual({ errors: { rawTx: [expect.any(String)] }, reason: 'PL1004' })
    await expectUncredited(id)
  })

  it.each([
    ['a missing rawTx', { rawTx: undefined }, 'rawTx', 'PL1004'],
    ['a 101-character refundTo', { refundTo: 'r'.repeat(101) }, 'refundTo', 'PL1004'],
    ['a 1001-character memo', { memo: 'm'.repeat(1001) }, 'memo', 'PL1004'],
    ['merchantData without extendedData', { merchantData: {} }, 'merchantData.extendedData', 'PL1004'],
    ['five proofCallbacks', { proofCallbacks: fiveCallbacks() }, 'proofCallbacks', 'PL1004'],
    ['the 2021 spvEnvelope', { spvEnvelope: { rawTx: '00' } }, 'spvEnvelope', 'PL3002'],
  ])('%s is refused 400 naming the field', async (_, change, field, reason) => {
    const { id, url, terms, coin } = await setUp()
    const answer = await post(url, { ...p4Payment(terms, await buildTx(coin, terms.outputs)), ...change })
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, field, reason)
    await expectUncredited(id)
  })

  it('a req- key in a BIP270 Payment is refused 400 PL1004', async () => {
    const { id, url, coin, terms } = await setUp()
    const tx = await buildTx(coin, terms.outputs)
    const answer = await post(
      url,
      { transaction: tx.toHex(), 'req-bip999': 'x' },
      'application/bitcoinsv-payment',
    )
    expect(answer.status).toBe(400)
    expectFieldError(answer.json, 'req-bip999', 'PL1004')
    await expectUncredited(id)
  })

  it('an unknown invoice is 404 N00001', async () => {
    const { terms, coin } = await setUp()
    const tx = await buildTx(coin, terms.outputs)
    const answer = await post(`${shop.base}/api/v1/payment/NoSuchInvoice0000000000`, p4Payment(terms, tx))
    expect(answer.status).toBe(404)
    expect(answer.json).toMatchObject({ code: 'N00001', reason: 'PL1010' })
    const malformed = await post(`${shop.base}/api/v1/payment/no!`, p4Payment(terms, tx))
    expect(malformed.status).toBe(404)
    expect(malformed.json).toMatchObject({ code: 'N00001' })
  })

  it('a body over 64 KiB is refused 413 PL1003', async () => {
    const { id, url, terms } = await setUp()
    const answer = await post(url, { merchantData: terms.merchantData, rawTx: '00'.repeat(33_000) })
    expect(answer.status).toBe(413)
    expect(answer.json).toMatchObject({ reason: 'PL1003' })
    const bip270 = await post(url, { transaction: '00'.repeat(33_000) }, 'application/bitcoinsv-payment')
    expect(bip270.status).toBe(413)
    expect(bip270.json).toMatchObject({ reason: 'PL1003' })
    await expectUncredited(id)
  })

  it('an unsupported Content-Type is refused 415 PL1002', async () => {
    const { id, url, terms, coin } = await setUp()
    const body = JSON.stringify(p4Payment(terms, await buildTx(coin, terms.outputs)))
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const answer = await post(url, body, type)
      expect(answer.status, type).toBe(415)
      expect(answer.json, type).toMatchObject({ reason: 'PL1002' })
    }
    // A byte body: fetch sends no Content-Type at all.
    const untyped = await fetch(url, { method: 'POST', body: new TextEncoder().encode(body) })
    expect(untyped.status).toBe(415)
    expect(await untyped.json()).toMatchObject({ reason: 'PL1002' })
    await expectUncredited(id)
  })
})

describe('cancelled invoices', () => {
  it('a cancelled invoice answers GET and POST with 422 PL2008', async () => {
    const { id, url, terms, coin } = await setUp()
    expect((await admin(shop, 'DELETE', `/api/v1/invoices/${id}`)).status).toBe(200)
    const got = await fetch(url)
    expect(got.status).toBe(422)
    expect(await got.json()).toMatchObject({ reason: 'PL2008' })
    const tx = await buildTx(coin, terms.outputs)
    const answer = await post(url, p4Payment(terms, tx))
    expect(answer.status).toBe(422)
    expect(answer.json).toMatchObject({ reason: 'PL2008' })
    await expectUncredited(id, shop, 'cancelled')
    expect(await broadcasterKnows(tx.id('hex'))).toBe(false)
  })
})
