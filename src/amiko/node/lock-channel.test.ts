/**
 * §8 rows 9 and 13, §9.1: a `Lock` that does not match the route is accepted, then refunded, and
 * the record waiting for it is torn down. When the `Lock` names another channel of the link than
 * the one reserved, the reserved one must be released too: the sender rolls its real entry back
 * on our refund, and nothing of ours would ever release it.
 */
import { describe, expect, it } from 'vitest'
import { newPrivateKey, newToken, routeId, transactionIdOf } from '../protocol/index.ts'
import * as ch from './channel.ts'
import { DEFAULT_SETTINGS, onLinkMessage, type Tx } from './engine.ts'
import { type ChannelState, emptyState, newWire, type RecordState } from './state.ts'

const UP = 'link_to_up'
const NOW = 1_800_000_000

function waitingForLock() {
  const transactionId = transactionIdOf(newToken())
  const r = routeId(true, transactionId)
  const state = emptyState(newPrivateKey())
  const channels = [0, 1].map((i) => {
    const c = ch.newChannel(i, 'remote', 100, 100)
    c.status = 'open'
    return c
  })
  const reserved = channels[1] as ChannelState
  ch.reserve(reserved, 'incoming', r, { amount: 7, startTime: null, endTime: NOW + 100 })
  state.links[UP] = {
    name: UP,
    remoteKey: null,
    remote: null,
    wire: newWire(),
    channels,
    ledgerSent: 0,
    ledgerProcessed: 0,
  }
  const rec: RecordState = {
    key: 'rec',
    transactionId,
    isPayerSide: true,
    status: 'haveRoute',
    amount: 7,
    meetingPoint: 'MP',
    startTime: null,
    origin: { kind: 'link', id: UP, channel: 1, expiry: NOW + 100 },
    mpSide: { kind: 'meetingPoint', id: 'MP', channel: null, expiry: null },
    initialCandidates: [],
    remainingCandidates: [],
    token: null,
    meetingPointSignature: null,
    reason: null,
  }
  state.records[rec.key] = rec
  const sent: Record<string, unknown>[] = []
  const tx: Tx = {
    state,
    now: NOW,
    settings: DEFAULT_SETTINGS,
    privateKey: state.privateKey,
    publicKey: '',
    send: (_target, message) => void sent.push(message),
    usable: () => true,
  }
  return { tx, rec, channels, r, transactionId, sent }
}

describe('a Lock naming the wrong channel of its link', () => {
  it('is refunded and releases the reservation it should have locked', () => {
    const { tx, rec, channels, r, transactionId, sent } = waitingForLock()
    onLinkMessage(tx, UP, {
      _class: 'Lock',
      transactionID: transactionId,
      isPayerSide: true,
      amount: 7,
      startTime: null,
      endTime: NOW + 100,
      channelIndex: 0,
    })
    expect(rec.status).toBe('cancelled')
    expect(sent).toContainEqual({ _class: 'SettleRollback', transactionID: transactionId, isPayerSide: true })
    for (const c of channels) {
      expect(ch.openEntries(c)).toEqual([])
      expect([c.amountLocal, c.amountRemote]).toEqual([100, 100])
    }
    expect(channels[1]?.done[r]).toBe('released')
  })
})
