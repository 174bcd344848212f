import { describe, expect, it } from 'vitest'
import { isPaylinkError } from '../core/errors.ts'
import { bip270Ack, p4Ack, parseAck } from './payment-ack.ts'

const TXID = 'ab'.repeat(32)

describe('PaymentACK (§5, §6)', () => {
  it('P4 ACK: snake_case keys, peer_channel null, no reason on success', () => {
    expect(p4Ack({ paymentId: 'Ab3dE6', txid: TXID, memo: '', error: 0, reason: 'PL2010' })).toEqual({
      id: 'Ab3dE6',
      tx_id: TXID,
      memo: '',
      peer_channel: null,
      error: 0,
    })
    expect(
      p4Ack({ paymentId: 'Ab3dE6', txid: TXID, memo: 'double spend', error: 1, reason: 'PL2011' }),
    ).toEqual({
      id: 'Ab3dE6',
      tx_id: TXID,
      memo: 'double spend',
      peer_channel: null,
      error: 1,
      reason: 'PL2011',
    })
  })
  it('BIP270 ACK echoes the payment', () => {
    const payment = { transaction: '00' }
    expect(bip270Ack({ payment, memo: 'ok', error: 0 })).toEqual({ payment, memo: 'ok', error: 0 })
    expect(bip270Ack({ payment, memo: 'no', error: 1, reason: 'PL2010' })).toMatchObject({ reason: 'PL2010' })
  })
  it('the wallet reads every shape', () => {
    const ours = p4Ack({ paymentId: 'Ab3dE6', txid: TXID, memo: 'no', error: 1, reason: 'PL2010' })
    expect(parseAck(ours)).toEqual({ error: 1, memo: 'no', txid: TXID, reason: 'PL2010' })
    expect(parseAck(bip270Ack({ payment: { transaction: '00' }, memo: 'ok', error: 0 }))).toEqual({
      error: 0,
      memo: 'ok',
    })
    // go-p4 November 2021, and ElectrumSV / omitempty encoders dropping empty memo and error
    expect(parseAck({ payment: { rawTx: '00' }, memo: 'paid', error: 0 })).toEqual({ error: 0, memo: 'paid' })
    expect(parseAck({ payment: { transaction: '00' } })).toEqual({ error: 0, memo: '' })
    expect(parseAck({ id: 'x', tx_id: TXID, memo: null, peer_channel: { id: 'c' } })).toEqual({
      error: 0,
      memo: '',
      txid: TXID,
    })
  })
  it('refuses what is no ACK with PL1004', () => {
    for (const bad of [{}, null, 'ok', { tx_id: 5 }, { payment: 'x' }, { payment: {}, error: -1 }]) {
      let code = 'accepted'
      try {
        parseAck(bad)
      } catch (err) {
        code = isPaylinkError(err) ? err.code : 'other'
      }
      expect(code).toBe('PL1004')
    }
  })
})
