import { describe, expect, it } from 'vitest'
import { isPaylinkError } from '../core/errors.ts'
import { envelope } from '../p4/relay-envelope.ts'
import { bridgeAnswer } from './bridge-answer.ts'

const URL = 'https://relay.example/api/v1/payment/Ab3dE6gH9jK2mN5pQ8sT1v'
const reply = (type: string, body: unknown) => envelope({ type, channelId: 'Ab3dE6gH9jK2mN5pQ8sT1v', body })

describe('bridged reply → HTTP answer (§14.6)', () => {
  it('a PaymentRequest is 200 with paymentUrl at the relay (D18)', () => {
    const a = bridgeAnswer(
      'request',
      reply('paymentrequest.response', { paymentUrl: 'http://x', memo: 'm' }),
      URL,
    )
    expect(a).toEqual({ status: 200, body: { paymentUrl: URL, memo: 'm' } })
  })

  it('an ACK is 201 with error 0 and 422 above', () => {
    expect(bridgeAnswer('payment', reply('payment.ack', { error: 0 }), URL).status).toBe(201)
    expect(bridgeAnswer('payment', reply('payment.ack', { error: 1, memo: 'no' }), URL).status).toBe(422)
  })

  it.each([
    [{ code: 'PL2003', reason: 'PL2003' }, 400],
    [{ code: 'N00001' }, 404],
    [{ code: 'D001', reason: 'PL2007' }, 409],
    [{ code: 'E001' }, 422],
    [{ code: 'U102', reason: 'PL2009' }, 422],
    [{ code: 'weird' }, 400],
    [{ code: 'PL1004', errors: { rawTx: ['required'] } }, 400],
    [{ code: 'PL9001', reason: 'PL9001' }, 502],
    [{ code: 'PL4001', reason: 'PL4001' }, 503],
  ])('payment.error %j → %i, never 500 (D2)', (body, status) => {
    expect(bridgeAnswer('payment', reply('payment.error', body), URL).status).toBe(status)
  })

  it('a reply failing its schema, or of the wrong type, is PL5010', () => {
    for (const [kind, type, body] of [
      ['payment', 'payment.ack', 'nonsense'],
      ['request', 'paymentrequest.response', []],
      ['request', 'payment.ack', { error: 0 }],
      ['payment', 'payment.error', 'nope'],
    ] as const) {
      let thrown: unknown
      try {
        bridgeAnswer(kind, reply(type, body), URL)
      } catch (err) {
        thrown = err
      }
      expect(isPaylinkError(thrown, 'PL5010')).toBe(true)
    }
  })
})
