/**
 * What the scripted neighbours of the Amiko model test send (protocols-amiko.md §2, §5): the
 * messages of a payment's course as the node expects them, and the garbage — lines that close the
 * connection, messages that are counted but rejected, and messages for records the node lacks.
 */
import { MODEL_SETTINGS } from './model-harness.ts'
import type { LinkPeer } from './model-peer.ts'
import type { Payment } from './model-spec.ts'

const DELTA = MODEL_SETTINGS.expiryIncrement as number

export const routeMessage = (p: Payment, isPayerSide: boolean) => ({
  _class: 'MakeRoute',
  transactionID: p.txid,
  amount: p.amount,
  meetingPointID: 'MP',
  isPayerSide,
  startTime: isPayerSide ? null : p.startTime,
  endTime: isPayerSide ? null : p.endTime,
  channelIndex: 0,
})

export const lockMessage = (p: Payment, good: boolean) => ({
  _class: 'Lock',
  transactionID: p.txid,
  isPayerSide: true,
  amount: p.amount,
  startTime: p.startTime,
  endTime: p.endTime + 2 * DELTA + (good ? 0 : 1),
  channelIndex: 0,
})

export const WRONG_TOKEN = 'ab'.repeat(32)

/** Lines that close the connection (§2.1, §2.4): nothing may change. */
export function garbageLine(peer: LinkPeer, variant: number): string {
  switch (variant) {
    case 0:
      return '{nope\n'
    case 1:
      return '{"hello": 1}\n'
    case 2:
      return '[1, 2, 3]\n'
    case 3:
      return `{"index": ${(peer.nextIndex + 5) & 0xffff}, "message": {"_class": "Cancel"}}\n`
    case 4:
      return `{"index": -1, "message": {"_class": "Cancel"}}\n`
    case 5:
      return `{"index": null, "message": {"_class": "Pay", "ID": "x"}}\n`
    default:
      return `{"index": 0, "message": {"_class": "Cancel", "pad": "${'x'.repeat(70_000)}"}}\n`
  }
}

/** Messages that parse as lines but are rejected (§2.1 AMIKO_UNKNOWN_CLASS, AMIKO_BAD_FIELD, §8 row 11). */
export function rejectedMessage(p: Payment, variant: number): Record<string, unknown> {
  const route = routeMessage(p, true)
  switch (variant) {
    case 0:
      return { _class: 'Nope' }
    case 1:
      return { ...route, amount: -5 }
    case 2:
      return { ...route, amount: 2 ** 60 }
    case 3:
      return { ...route, amount: '12' }
    case 4:
      return { ...lockMessage(p, true), amount: 0 }
    case 5:
      return { _class: 'RequestCommit', token: WRONG_TOKEN, isPayerSide: false }
    case 6:
      return { _class: 'SettleCommit', token: 'zz', isPayerSide: true }
    case 7:
      return { _class: 'ChannelMessage', channelIndex: 0, message: { _class: 'Unknown' } }
    case 8:
      return { _class: 'Deposit', channelIndex: 7, channelClass: 'SignedIOUChannel' }
    default:
      return { _class: 'Deposit', channelIndex: 1, channelClass: 'PlainChannel' }
  }
}

/** Messages for records that do not exist on this node (§8: ignored). */
export function strayMessage(
  p: Payment,
  variant: number,
): { peer: 'a' | 'b'; message: Record<string, unknown> } {
  const route = { transactionID: p.txid }
  switch (variant) {
    case 0:
      return { peer: 'a', message: { _class: 'HaveNoRoute', ...route, isPayerSide: true } }
    case 1:
      return {
        peer: 'b',
        message: { _class: 'HaveRoute', ...route, isPayerSide: false, startTime: 1, endTime: 2 },
      }
    case 2:
      // A State at counts that cannot be the node's: messages in flight, ignored (§11 rule 2).
      return {
        peer: 'a',
        message: {
          _class: 'ChannelMessage',
          channelIndex: 0,
          message: {
            _class: 'SignedIOUChannel_State',
            countA: 999_999,
            countB: 999_999,
            stateHash: 'cd'.repeat(32),
            signature: 'ef'.repeat(64),
          },
        },
      }
    default:
      return { peer: 'b', message: { _class: 'CancelRoute', ...route, isPayerSide: true } }
  }
}
