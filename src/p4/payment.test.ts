import { describe, expect, it } from 'vitest'
import {
  bip270PaymentSchema,
  fromBip270Payment,
  fromP4Payment,
  p4PaymentSchema,
  SPV_ENVELOPE_REFUSED,
} from './payment.ts'

const merchantData = { extendedData: { paymentReference: 'Ab3dE6' }, avatar: 'ignored' }

describe('Payment schemas (§5, §6)', () => {
  it('P4: the rest of merchantData is kept but not checked', () => {
    const payment = p4PaymentSchema.parse({ merchantData: { ...merchantData, name: 7 }, rawTx: '00' })
    expect(fromP4Payment(payment)).toEqual({
      rawTx: '00',
      merchantData: { ...merchantData, name: 7 },
      paymentReference: 'Ab3dE6',
    })
  })
  it('P4: an spvEnvelope is refused on its own field', () => {
    const result = p4PaymentSchema.safeParse({ merchantData, rawTx: '00', spvEnvelope: {} })
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['spvEnvelope'], SPV_ENVELOPE_REFUSED],
    ])
    expect(p4PaymentSchema.parse({ merchantData, rawTx: '00', spvEnvelope: null })).not.toHaveProperty(
      'spvEnvelope',
    )
  })
  it('BIP270: transaction is the rawTx; merchantData kept as the exact string', () => {
    const text = '{"paymentReference": "Ab3dE6"}'
    const payment = bip270PaymentSchema.parse({ transaction: '0100beef', merchantData: text, refundTo: 'r' })
    expect(fromBip270Payment(payment)).toEqual({ rawTx: '0100beef', merchantData: text, refundTo: 'r' })
  })
  it('BIP270: req- keys are refused', () => {
    expect(bip270PaymentSchema.safeParse({ transaction: '00', 'req-x': 1 }).success).toBe(false)
  })
})
