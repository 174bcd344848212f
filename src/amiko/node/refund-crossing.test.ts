/**
 * §9.4: a refund we sent upstream may cross the upstream's `SettleCommit`. Until the refund is
 * acknowledged the entry is `refunded` and the `SettleCommit` turns it into `settled` (settle wins,
 * even when our record of the payment is gone); the acknowledgement makes it `rolledBack`, final.
 */
import { describe, expect, it } from 'vitest'
import { newPrivateKey, newToken, routeId, transactionIdOf } from '../protocol/index.ts'
import * as ch from './channel.ts'
import { DEFAULT_SETTINGS, onLinkMessage, refundsAcknowledged, type Tx } from './engine.ts'
import { emptyState, newWire } from './state.ts'

const UP = 'link_to_up'

/** A node whose only channel (with the upstream node) holds a lock of 7 it has just refunded. */
function refundedHere() {
  const token = newToken()
  const transactionId = transactionIdOf(token)
  const r = routeId(true, transactionId)
  const state = emptyState(newPrivateKey())
  const c = ch.newChannel(0, 'remote', 100, 100)
  c.status = 'open'
  ch.reserve(c, 'incoming', r, { amount: 7, startTime: null, endTime: null })
  ch.lock(c, 'incoming', r, { amount: 7, startTime: null, endTime: null })
  ch.rollBack(c, 'incoming', r, true)
  state.links[UP] = {
    name: UP,
    remoteKey: null,
    remote: null,
    wire: newWire(),
    channels: [c],
    ledgerSent: 0,
    ledgerProcessed: 0,
  }
  const tx: Tx = {
    state,
    now: 1_800_000_000,
    settings: DEFAULT_SETTINGS,
    privateKey: state.privateKey,
    publicKey: '',
    send: () => undefined,
    usable: () => true,
  }
  return { tx, c, token, transactionId, r }
}

describe('a SettleCommit crossing our refund (§9.4)', () => {
  it('settles the refunded entry although no record of the payment is left', () => {
    const { tx, c, token, r } = refundedHere()
    expect(c.done[r]).toBe('refunded')
    expect([c.amountLocal, c.amountRemote]).toEqual([100, 100])
    onLinkMessage(tx, UP, { _class: 'SettleCommit', token, isPayerSide: true })
    expect(c.done[r]).toBe('settled')
    expect([c.amountLocal, c.amountRemote]).toEqual([107, 93])
    // A repeated SettleCommit is refused (nothing of the payment is left here) and changes nothing.
    expect(() => onLinkMessage(tx, UP, { _class: 'SettleCommit', token, isPayerSide: true })).toThrow()
    expect([c.amountLocal, c.amountRemote]).toEqual([107, 93])
    expect(c.refunds?.[r]).toBeUndefined()
  })

  it('after the refund is acknowledged it is final: a late SettleCommit is refused', () => {
    const { tx, c, token, transactionId, r } = refundedHere()
    refundsAcknowledged(tx, UP, [{ transactionId, isPayerSide: true }])
    expect(c.done[r]).toBe('rolledBack')
    expect(() => onLinkMessage(tx, UP, { _class: 'SettleCommit', token, isPayerSide: true })).toThrow(
      /AMIKO_BAD_TOKEN|token/,
    )
    expect([c.amountLocal, c.amountRemote]).toEqual([100, 100])
  })

  it('a wrong token settles nothing', () => {
    const { tx, c, r } = refundedHere()
    expect(() =>
      onLinkMessage(tx, UP, { _class: 'SettleCommit', token: newToken(), isPayerSide: true }),
    ).toThrow()
    expect(c.done[r]).toBe('refunded')
  })
})
