import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isPaylinkError, type PaylinkError } from '../core/errors.ts'
import { parsePayment } from './parse-payment.ts'

const ID = 'Ab3dE6gH9jK2mN5pQ8sT1v'
const TX = '0100000001'.padEnd(120, 'ab')
const p4 = (extra: object = {}) => ({
  merchantData: { name: 'Shop', extendedData: { paymentReference: ID } },
  rawTx: TX,
  ...extra,
})
const bip270 = (extra: object = {}) => ({
  transaction: TX,
  merchantData: `{"paymentReference":"${ID}"}`,
  ...extra,
})

function failure(body: unknown, contentType = 'application/json', options = {}): PaylinkError {
  try {
    parsePayment(body, contentType, options)
  } catch (err) {
    if (isPaylinkError(err)) return err
    throw err
  }
  throw new Error('accepted')
}
const errorsOf = (body: unknown, contentType?: string) => failure(body, contentType).details?.['errors']

describe('Payment content negotiation (§4)', () => {
  it('application/json is P4, normalised', () => {
    const callbacks = { 'https://cb.example/proofs': { token: 't' } }
    const parsed = parsePayment(
      p4({ ancestry: 'BEEF', refundTo: 'me@paymail.example', memo: 'thanks', proofCallbacks: callbacks }),
      'application/json; charset=utf-8',
    )
    expect(parsed).toEqual({
      dialect: 'p4',
      payment: {
        rawTx: TX,
        ancestry: 'BEEF',
        merchantData: { name: 'Shop', extendedData: { paymentReference: ID } },
        paymentReference: ID,
        refundTo: 'me@paymail.example',
        memo: 'thanks',
        proofCallbacks: callbacks,
      },
    })
  })
  it('null and empty optional fields read as absent', () => {
    const parsed = parsePayment(
      p4({ ancestry: '', refundTo: null, proofCallbacks: null, spvEnvelope: null }),
      'application/json',
    )
    expect(parsed.payment).toEqual({ rawTx: TX, merchantData: p4().merchantData, paymentReference: ID })
  })
  it('application/bitcoinsv-payment is strict BIP270, any case and parameters', () => {
    expect(parsePayment(bip270({ memo: 'm' }), 'Application/BitcoinSV-Payment; charset=UTF-8')).toEqual({
      dialect: 'bip270',
      payment: { rawTx: TX, merchantData: `{"paymentReference":"${ID}"}`, memo: 'm' },
    })
  })
  it('application/json carrying a BIP270 Payment (BIP271 clients) is BIP270', () => {
    expect(parsePayment(bip270(), 'application/json').dialect).toBe('bip270')
    expect(parsePayment({ transaction: TX, merchantData: null }, 'application/json').payment).toEqual({
      rawTx: TX,
    })
  })
  it('a missing or other Content-Type is PL1002 (415)', () => {
    for (const type of ['', 'text/plain', 'application/x-www-form-urlencoded']) {
      const err = failure(p4(), type)
      expect([err.code, err.status]).toEqual(['PL1002', 415])
    }
  })
  it('an spvEnvelope is its own refusal: PL3002 on field spvEnvelope', () => {
    const err = failure(p4({ spvEnvelope: { rawTx: TX, proof: {} } }))
    expect(err.code).toBe('PL3002')
    expect(Object.keys(err.details?.['errors'] as object)).toEqual(['spvEnvelope'])
  })
  it.each([
    ['no rawTx', { merchantData: p4().merchantData }, { rawTx: ['value cannot be empty'] }],
    ['a non-hex rawTx', p4({ rawTx: 'xyz' }), { rawTx: ['value supplied is not valid hex'] }],
    ['a rawTx of the wrong type', p4({ rawTx: 7 }), { rawTx: ['value must be of type string'] }],
    [
      'no paymentReference',
      p4({ merchantData: { extendedData: {} } }),
      { 'merchantData.extendedData.paymentReference': ['value cannot be empty'] },
    ],
    [
      'a 101-character refundTo',
      p4({ refundTo: 'r'.repeat(101) }),
      { refundTo: ['value must be between 0 and 100 characters'] },
    ],
    [
      'a 1001-character memo',
      p4({ memo: 'm'.repeat(1001) }),
      { memo: ['value must be between 0 and 1000 characters'] },
    ],
    ['non-hex ancestry', p4({ ancestry: 'beefy' }), { ancestry: ['value supplied is not valid hex'] }],
    [
      'five proof callbacks',
      p4({
        proofCallbacks: Object.fromEntries(
          [1, 2, 3, 4, 5].map((i) => [`https://cb${i}.example/`, { token: 't' }]),
        ),
      }),
      { proofCallbacks: ['at most 4 callbacks'] },
    ],
    [
      'an http callback to a public host',
      p4({ proofCallbacks: { 'http://cb.example/': { token: 't' } } }),
      { 'proofCallbacks.http://cb.example/': ['url must be https (http only for loopback hosts)'] },
    ],
    [
      'a callback URL over 2048 characters',
      p4({ proofCallbacks: { [`https://cb.example/${'p'.repeat(2030)}`]: { token: 't' } } }),
      { [`proofCallbacks.https://cb.example/${'p'.repeat(2030)}`]: ['url must be at most 2048 characters'] },
    ],
    [
      'a relative callback URL',
      p4({ proofCallbacks: { '/proofs': { token: 't' } } }),
      { 'proofCallbacks./proofs': ['url is not an absolute URL'] },
    ],
    [
      'a 513-character token',
      p4({ proofCallbacks: { 'https://cb.example/': { token: 't'.repeat(513) } } }),
      { 'proofCallbacks.https://cb.example/.token': ['value must be between 0 and 512 characters'] },
    ],
    ['a body that is not an object', [p4()], { body: ['value must be of type object'] }],
  ])('P4: refuses %s with PL1004 and a go-p4 style errors map', (_, body, errors) => {
    const err = failure(body)
    expect(err.code).toBe('PL1004')
    expect(err.details?.['errors']).toEqual(errors)
  })
  it('allows http callbacks to loopback hosts, and to any host when insecure is allowed', () => {
    const cb = (url: string) => p4({ proofCallbacks: { [url]: { token: 't' } } })
    expect(parsePayment(cb('http://127.0.0.1:8445/api/v1/proofs/x'), 'application/json').dialect).toBe('p4')
    expect(parsePayment(cb('http://cb.example/'), 'application/json', { allowInsecure: true }).dialect).toBe(
      'p4',
    )
  })
  it.each([
    ['a req- key', bip270({ 'req-refund': 1 }), { 'req-refund': ['unsupported required key'] }],
    ['no transaction', { merchantData: 'x' }, { transaction: ['value cannot be empty'] }],
    [
      'merchantData over 10,000 characters',
      bip270({ merchantData: 'x'.repeat(10_001) }),
      { merchantData: ['value must be between 0 and 10000 characters'] },
    ],
    [
      'a 101-character refundTo',
      bip270({ refundTo: 'r'.repeat(101) }),
      { refundTo: ['value must be between 0 and 100 characters'] },
    ],
  ])('BIP270: refuses %s with PL1004', (_, body, errors) => {
    expect(errorsOf(body, 'application/bitcoinsv-payment')).toEqual(errors)
  })
  it('application/json: BIP270 errors for a BIP270-shaped body, P4 errors otherwise', () => {
    expect(errorsOf(bip270({ 'req-x': 1 }))).toEqual({ 'req-x': ['unsupported required key'] })
    expect(errorsOf({ rawTx: TX, transaction: TX })).toEqual({ merchantData: ['value cannot be empty'] })
  })
  it('answers any body with a parse or a PaylinkError, never a crash', () => {
    const type = fc.constantFrom('application/json', 'application/bitcoinsv-payment', 'text/plain')
    fc.assert(
      fc.property(fc.anything(), type, (body, contentType) => {
        try {
          parsePayment(body, contentType)
        } catch (err) {
          expect(isPaylinkError(err)).toBe(true)
        }
      }),
    )
  })
})
