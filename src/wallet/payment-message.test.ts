import { describe, expect, it } from 'vitest'
import { parsePayment } from '../p4/parse-payment.ts'
import { paymentMessage } from './payment-message.ts'

const merchantData = { name: 'Shop', extendedData: { paymentReference: 'Ab3dE6gH9jK2mN5pQ8sT1v', extra: 1 } }
const callbacks = { 'http://127.0.0.1:5000/proofs/Ab3dE6gH9jK2mN5pQ8sT1v': { token: 't0k3n' } }

describe('the Payment the wallet sends (§5, §6)', () => {
  it('P4 JSON echoes merchantData as served and parses as the merchant parses it', () => {
    const m = paymentMessage('p4', { merchantData, rawTx: 'aa', ancestry: 'bb', proofCallbacks: callbacks })
    expect(m.contentType).toBe('application/json')
    expect(JSON.parse(m.body)).toEqual({
      merchantData,
      rawTx: 'aa',
      ancestry: 'bb',
      proofCallbacks: callbacks,
    })
    const parsed = parsePayment(JSON.parse(m.body), m.contentType)
    expect(parsed).toMatchObject({
      dialect: 'p4',
      payment: { rawTx: 'aa', ancestry: 'bb', proofCallbacks: callbacks },
    })
  })

  it('strict BIP270 sends the merchantData string byte for byte and `transaction`', () => {
    const served = '{"paymentReference":"Ab3dE6gH9jK2mN5pQ8sT1v"}'
    const m = paymentMessage('bip270', { merchantData: served, rawTx: 'aa', ancestry: 'bb', memo: 'hi' })
    expect(m.contentType).toBe('application/bitcoinsv-payment')
    expect(JSON.parse(m.body)).toEqual({
      merchantData: served,
      transaction: 'aa',
      ancestry: 'bb',
      memo: 'hi',
    })
    expect(parsePayment(JSON.parse(m.body), m.contentType)).toMatchObject({
      dialect: 'bip270',
      payment: { merchantData: served, rawTx: 'aa' },
    })
  })
})
