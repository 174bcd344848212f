import fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  type ChannelSubMessage,
  type Message,
  type MessageOf,
  parseChannelMessage,
  parseMessage,
} from './messages.ts'

const TXID = 'ab'.repeat(20)
const TOKEN = 'cd'.repeat(32)
const KEY = `02${'ef'.repeat(32)}`
const SIG = '12'.repeat(64)

const STATE: ChannelSubMessage = {
  _class: 'SignedIOUChannel_State',
  countA: 3,
  countB: 0,
  stateHash: TOKEN,
  signature: SIG,
}
const CHANNEL: ChannelSubMessage[] = [
  { _class: 'SignedIOUChannel_Open', amount: 1000 },
  { _class: 'SignedIOUChannel_Accept', amount: 0 },
  STATE,
  { _class: 'SignedIOUChannel_Withdraw' },
]

const route = { transactionID: TXID, isPayerSide: true }
const EXAMPLES: Message[] = [
  { _class: 'Pay', ID: 'a1b2' },
  { _class: 'Receipt', amount: 1, receipt: 'coffee', transactionID: TXID, meetingPoints: ['mp'] },
  { _class: 'Confirm', ID: 'a1b2', meetingPointID: 'mp' },
  { _class: 'Cancel', ID: '__payer__' },
  { _class: 'HavePayeeRoute', ID: '__payer__', transactionID: TXID },
  { _class: 'Commit', token: TOKEN },
  {
    _class: 'ConnectLink',
    ID: 'bob',
    dice: '0a0b0c0d',
    callbackHost: null,
    callbackPort: null,
    callbackID: null,
    nodeKey: KEY,
    challenge: TOKEN,
    signature: SIG,
  },
  { _class: 'Deposit', channelIndex: 0, channelClass: 'SignedIOUChannel' },
  { _class: 'ChannelMessage', channelIndex: 0, message: STATE },
  {
    _class: 'MakeRoute',
    ...route,
    amount: 5,
    meetingPointID: 'mp',
    startTime: null,
    endTime: null,
    channelIndex: 0,
  },
  { _class: 'HaveRoute', ...route, startTime: 100, endTime: 200, meetingPointSignature: SIG },
  { _class: 'HaveNoRoute', ...route },
  { _class: 'CancelRoute', ...route },
  { _class: 'Lock', ...route, amount: 5, startTime: 100, endTime: 200, channelIndex: 1 },
  { _class: 'RequestCommit', token: TOKEN, isPayerSide: false },
  { _class: 'SettleCommit', token: TOKEN, isPayerSide: false },
  { _class: 'SettleRollback', ...route },
]

function rejected(obj: unknown): string {
  const r = parseMessage(obj)
  return r.ok ? 'ok' : r.code
}

describe('message schemas (§4, §5, §11)', () => {
  it('every class parses to itself, through JSON', () => {
    expect(new Set(EXAMPLES.map((m) => m._class)).size).toBe(17)
    for (const m of EXAMPLES)
      expect(parseMessage(JSON.parse(JSON.stringify(m)))).toEqual({ ok: true, message: m })
    for (const m of CHANNEL) expect(parseChannelMessage(m)).toEqual({ ok: true, message: m })
  })

  it('types narrow by _class', () => {
    const r = parseMessage(EXAMPLES[13])
    if (r.ok && r.message._class === 'Lock') expectTypeOf(r.message).toEqualTypeOf<MessageOf<'Lock'>>()
    expectTypeOf<MessageOf<'Lock'>['endTime']>().toEqualTypeOf<number>()
    expectTypeOf<MessageOf<'MakeRoute'>['endTime']>().toEqualTypeOf<number | null>()
  })

  it('strips unknown fields and keeps an optional ID', () => {
    const r = parseMessage({ _class: 'Cancel', ID: 'x', extra: 1 })
    expect(r).toEqual({ ok: true, message: { _class: 'Cancel', ID: 'x' } })
    expect(parseMessage({ _class: 'HaveNoRoute', ...route, ID: 'anything at all' }).ok).toBe(true)
    expect(parseMessage({ _class: 'Pay' }).ok).toBe(true)
    expect(parseMessage({ _class: 'Cancel', ID: 42 })).toEqual({ ok: true, message: { _class: 'Cancel' } })
    expect(parseMessage({ ...(EXAMPLES[6] as object), ID: null }).ok).toBe(true)
  })

  it('an unknown, missing or inherited _class is AMIKO_UNKNOWN_CLASS', () => {
    for (const cls of [
      'Nope',
      undefined,
      7,
      'constructor',
      '__proto__',
      'toString',
      'SignedIOUChannel_Open',
    ]) {
      expect(rejected({ _class: cls })).toBe('AMIKO_UNKNOWN_CLASS')
    }
    expect(rejected(null)).toBe('AMIKO_UNKNOWN_CLASS')
    expect(rejected([{ _class: 'Pay' }])).toBe('AMIKO_UNKNOWN_CLASS')
    expect(rejected({ _class: 'ChannelMessage', channelIndex: 0, message: { _class: 'Nope' } })).toBe(
      'AMIKO_UNKNOWN_CLASS',
    )
    expect(parseChannelMessage({ _class: 'Pay' })).toMatchObject({ ok: false, code: 'AMIKO_UNKNOWN_CLASS' })
  })

  it('a missing or mistyped field is AMIKO_BAD_FIELD, naming the field', () => {
    const lock = EXAMPLES[13] as MessageOf<'Lock'>
    expect(parseMessage({ ...lock, amount: 0 })).toMatchObject({
      ok: false,
      code: 'AMIKO_BAD_FIELD',
      detail: /amount/,
    })
    for (const bad of [
      { ...lock, amount: 1.5 },
      { ...lock, amount: Number.MAX_SAFE_INTEGER + 1 },
      { ...lock, amount: '5' },
      { ...lock, endTime: null },
      { ...lock, transactionID: TXID.toUpperCase() },
      { ...lock, isPayerSide: 1 },
      { ...lock, channelIndex: -1 },
      { _class: 'Commit', token: TOKEN.slice(2) },
      { _class: 'Confirm', meetingPointID: '_mp' },
      { _class: 'Pay', ID: 'a/b' },
      { _class: 'ChannelMessage', channelIndex: 0, message: { ...STATE, countA: -1 } },
      { _class: 'ChannelMessage', channelIndex: 0 },
    ]) {
      expect(rejected(bad), JSON.stringify(bad)).toBe('AMIKO_BAD_FIELD')
    }
  })

  it('Receipt: receipt at most 4096 UTF-8 bytes, 1–16 meeting points, optional signature fields', () => {
    const r = EXAMPLES[1] as MessageOf<'Receipt'>
    expect(rejected({ ...r, receipt: 'x'.repeat(4096) })).toBe('ok')
    expect(rejected({ ...r, receipt: 'é'.repeat(2049) })).toBe('AMIKO_BAD_FIELD')
    expect(rejected({ ...r, meetingPoints: [] })).toBe('AMIKO_BAD_FIELD')
    expect(rejected({ ...r, meetingPoints: Array(17).fill('mp') })).toBe('AMIKO_BAD_FIELD')
    expect(rejected({ ...r, amount: 0 })).toBe('AMIKO_BAD_FIELD')
    expect(rejected({ ...r, signature: SIG, payeeKey: KEY })).toBe('ok')
    expect(rejected({ ...r, payeeKey: `04${'ef'.repeat(32)}` })).toBe('AMIKO_BAD_FIELD')
  })

  it('deposits and channel funds may be 0; payments may not', () => {
    expect(parseChannelMessage({ _class: 'SignedIOUChannel_Open', amount: 0 }).ok).toBe(true)
    expect(parseChannelMessage({ _class: 'SignedIOUChannel_Open', amount: -1 }).ok).toBe(false)
    expect(rejected({ ...(EXAMPLES[9] as object), amount: 0 })).toBe('AMIKO_BAD_FIELD')
  })

  it('garbage in, an error out, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.record({ _class: fc.constantFrom(...EXAMPLES.map((m) => m._class)) })),
        (x) => {
          const r = parseMessage(x)
          if (!r.ok) expect(['AMIKO_UNKNOWN_CLASS', 'AMIKO_BAD_FIELD']).toContain(r.code)
          expect(() => parseChannelMessage(x)).not.toThrow()
        },
      ),
    )
  })
})
