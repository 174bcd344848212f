import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isPaylinkError } from '../core/errors.ts'
import { goMessages } from './field-errors.ts'
import { parsePaymentRequest } from './parse-payment-request.ts'
import {
  bip270PaymentRequestSchema,
  p4PaymentRequestSchema,
  toBip270PaymentRequest,
  toP4PaymentRequest,
} from './payment-request.ts'
import { P2PKH, sampleTerms } from './test-terms.ts'

function errorsOf(body: unknown): Record<string, string[]> | string {
  try {
    parsePaymentRequest(body)
  } catch (err) {
    return isPaylinkError(err, 'PL1004') ? (err.details?.['errors'] as Record<string, string[]>) : String(err)
  }
  return 'accepted'
}

describe('P4 PaymentRequest (§5)', () => {
  it('is built from the terms with exactly the keys of §5', () => {
    const request = toP4PaymentRequest(sampleTerms())
    expect(JSON.parse(JSON.stringify(request))).toEqual({
      network: 'regtest',
      spvRequired: false,
      ancestryRequired: false,
      destinations: { outputs: [{ amount: 1000, script: P2PKH, description: 'coffee' }] },
      creationTimestamp: '2026-01-01T12:00:00Z',
      expirationTimestamp: '2026-01-02T12:00:00Z',
      paymentUrl: 'https://shop.example/api/v1/payment/Ab3dE6gH9jK2mN5pQ8sT1v',
      memo: 'Invoice Ab3dE6gH9jK2mN5pQ8sT1v',
      merchantData: {
        name: 'Shop',
        email: 'shop@example.com',
        extendedData: { orderNo: '42', paymentReference: 'Ab3dE6gH9jK2mN5pQ8sT1v' },
      },
      fees: {
        standard: { miningFee: { satoshis: 1, bytes: 1000 }, relayFee: { satoshis: 1, bytes: 1000 } },
        data: { miningFee: { satoshis: 2, bytes: 1000 }, relayFee: { satoshis: 2, bytes: 1000 } },
      },
    })
  })
  it('what we emit parses back to the same terms', () => {
    const terms = sampleTerms({ spvRequired: true })
    const wire = JSON.parse(JSON.stringify(toP4PaymentRequest(terms)))
    expect(p4PaymentRequestSchema.parse(wire)).toEqual(toP4PaymentRequest(terms))
    expect(parsePaymentRequest(wire)).toMatchObject({
      dialect: 'p4',
      outputs: terms.outputs,
      creationTimestamp: terms.creationTimestamp,
      expirationTimestamp: terms.expirationTimestamp,
      paymentId: terms.paymentId,
      fees: terms.fees,
      spvRequired: true,
    })
  })
  it('reads paymentURL and beneficiary as aliases, and either SPV flag', () => {
    const { paymentUrl, merchantData, spvRequired: _, ...rest } = toP4PaymentRequest(sampleTerms())
    const parsed = p4PaymentRequestSchema.parse({
      ...rest,
      paymentURL: paymentUrl,
      beneficiary: merchantData,
    })
    expect(parsed.paymentUrl).toBe(paymentUrl)
    expect(parsed.merchantData).toEqual(merchantData)
    expect(parsed.spvRequired).toBe(false)
    const onlySpv = { ...rest, ancestryRequired: undefined, spvRequired: true, paymentUrl, merchantData }
    expect(p4PaymentRequestSchema.parse(onlySpv).ancestryRequired).toBe(true)
  })
  it("reads Go's zero expiration time as none and accepts any fraction and offset", () => {
    const wire = { ...toP4PaymentRequest(sampleTerms()), expirationTimestamp: '0001-01-01T00:00:00Z' }
    expect(parsePaymentRequest(wire).expirationTimestamp).toBeUndefined()
    const precise = { ...wire, creationTimestamp: '2026-01-01T13:00:00.123456789+01:00' }
    expect(parsePaymentRequest(precise).creationTimestamp).toBe(Date.UTC(2026, 0, 1, 12) + 123)
  })
  it('ignores unknown keys', () => {
    const wire = { ...toP4PaymentRequest(sampleTerms()), 'req-x': 1, extra: true }
    expect(p4PaymentRequestSchema.parse(wire)).not.toHaveProperty('extra')
  })
  const base = () => JSON.parse(JSON.stringify(toP4PaymentRequest(sampleTerms())))
  const output = (o: object) => ({
    ...base(),
    destinations: { outputs: [{ amount: 1, script: '00', ...o }] },
  })
  it.each([
    [
      'a 51-character memo',
      { ...base(), memo: 'm'.repeat(51) },
      'memo',
      'value must be between 0 and 50 characters',
    ],
    [
      'no outputs',
      { ...base(), destinations: { outputs: [] } },
      'destinations.outputs',
      'value cannot be empty',
    ],
    [
      '101 outputs',
      { ...base(), destinations: { outputs: Array(101).fill({ amount: 1, script: '00' }) } },
      'destinations.outputs',
      'at most 100 outputs',
    ],
    [
      'amount 0',
      output({ amount: 0 }),
      'destinations.outputs.0.amount',
      'value must be an integer number of satoshis between 1 and 2100000000000000',
    ],
    [
      'a fractional amount',
      output({ amount: 1.5 }),
      'destinations.outputs.0.amount',
      'value must be an integer number of satoshis between 1 and 2100000000000000',
    ],
    ['an empty script', output({ script: '' }), 'destinations.outputs.0.script', 'value cannot be empty'],
    [
      'a non-hex script',
      output({ script: 'zz' }),
      'destinations.outputs.0.script',
      'value supplied is not valid hex',
    ],
    [
      'a 10,001-byte script',
      output({ script: '00'.repeat(10_001) }),
      'destinations.outputs.0.script',
      'value must be at most 10000 bytes',
    ],
    [
      'a 101-character description',
      output({ description: 'd'.repeat(101) }),
      'destinations.outputs.0.description',
      'value must be between 0 and 100 characters',
    ],
    [
      'a 4001-character paymentUrl',
      { ...base(), paymentUrl: 'h'.repeat(4001) },
      'paymentUrl',
      'value must be between 1 and 4000 characters',
    ],
    [
      'an unknown network',
      { ...base(), network: 'mainnet' },
      'network',
      'value must be one of bitcoin-sv, testnet, stn, regtest',
    ],
    [
      'no paymentReference',
      { ...base(), merchantData: { extendedData: {} } },
      'merchantData.extendedData.paymentReference',
      'value cannot be empty',
    ],
    [
      '17 further extendedData keys',
      {
        ...base(),
        merchantData: {
          extendedData: {
            paymentReference: 'x',
            ...Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i])),
          },
        },
      },
      'merchantData.extendedData',
      'at most 16 keys besides paymentReference',
    ],
    [
      'extendedData over 4 KiB',
      { ...base(), merchantData: { extendedData: { paymentReference: 'x', blob: 'b'.repeat(4096) } } },
      'merchantData.extendedData',
      'at most 4096 bytes as JSON',
    ],
    [
      'a 101-character merchant name',
      { ...base(), merchantData: { name: 'n'.repeat(101), extendedData: { paymentReference: 'x' } } },
      'merchantData.name',
      'value must be between 0 and 100 characters',
    ],
    [
      'neither SPV flag',
      { ...base(), spvRequired: undefined, ancestryRequired: undefined },
      'spvRequired',
      'value cannot be empty',
    ],
    [
      'a time without offset',
      { ...base(), creationTimestamp: '2026-01-01T12:00:00' },
      'creationTimestamp',
      'value must be an RFC3339 date-time',
    ],
    [
      'a fee with extra precision',
      {
        ...base(),
        fees: {
          ...base().fees,
          data: { miningFee: { satoshis: 0.5, bytes: 1 }, relayFee: { satoshis: 0, bytes: 1 } },
        },
      },
      'fees.data.miningFee.satoshis',
      'value must be an integer number of satoshis between 0 and 2100000000000000',
    ],
    ['no fees', { ...base(), fees: undefined }, 'fees', 'value cannot be empty'],
  ])('refuses %s with PL1004 naming the field', (_, body, field, message) => {
    expect(errorsOf(body)).toEqual({ [field]: [message] })
  })
  it('answers garbage with PL1004, never a crash', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        const result = errorsOf(body)
        expect(typeof result === 'object' || result === 'accepted').toBe(true)
      }),
    )
  })
})

describe('strict BIP270 PaymentRequest (§6)', () => {
  it('is built from the same terms: unix seconds, merchantData text, feeRate', () => {
    expect(toBip270PaymentRequest(sampleTerms())).toEqual({
      network: 'regtest',
      outputs: [{ amount: 1000, script: P2PKH, description: 'coffee' }],
      creationTimestamp: 1_767_268_800,
      expirationTimestamp: 1_767_355_200,
      memo: 'Invoice Ab3dE6gH9jK2mN5pQ8sT1v',
      paymentUrl: 'https://shop.example/api/v1/payment/Ab3dE6gH9jK2mN5pQ8sT1v',
      merchantData: '{"paymentReference":"Ab3dE6gH9jK2mN5pQ8sT1v"}',
      feeRate: { satoshisPerByte: 0.002 },
    })
  })
  it('a wallet reads it back, keeping the merchantData string to echo', () => {
    const terms = sampleTerms()
    expect(parsePaymentRequest(toBip270PaymentRequest(terms))).toEqual({
      dialect: 'bip270',
      network: 'regtest',
      outputs: terms.outputs,
      creationTimestamp: terms.creationTimestamp,
      expirationTimestamp: terms.expirationTimestamp,
      memo: terms.memo,
      paymentUrl: terms.paymentUrl,
      paymentId: terms.paymentId,
      merchantData: '{"paymentReference":"Ab3dE6gH9jK2mN5pQ8sT1v"}',
      fees: { standard: { satoshis: 2, bytes: 1000 }, data: { satoshis: 2, bytes: 1000 } },
      spvRequired: false,
    })
  })
  it('accepts the keys BIP270 makes optional being absent, and network "bitcoin"', () => {
    const {
      expirationTimestamp: _e,
      merchantData: _m,
      feeRate: _f,
      memo: _o,
      ...rest
    } = toBip270PaymentRequest(sampleTerms())
    const parsed = parsePaymentRequest({ ...rest, network: 'bitcoin' })
    expect(parsed).toMatchObject({ network: 'bitcoin-sv', memo: '' })
    expect(parsed.fees).toBeUndefined()
    expect(parsed.paymentId).toBeUndefined()
  })
  it('refuses req- keys with PL1004', () => {
    expect(errorsOf({ ...toBip270PaymentRequest(sampleTerms()), 'req-bip275': true })).toEqual({
      'req-bip275': ['unsupported required key'],
    })
  })
  it('refuses fractional seconds and a merchantData over 10,000 characters', () => {
    const wire = toBip270PaymentRequest(sampleTerms())
    const bad = { ...wire, creationTimestamp: 1.5, merchantData: 'x'.repeat(10_001) }
    expect(
      bip270PaymentRequestSchema.safeParse(bad, { error: goMessages }).error?.issues.map((i) => i.path),
    ).toEqual([['creationTimestamp'], ['merchantData']])
  })
})
