import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatLine, isLineError, type Line, MAX_LINE_BYTES, parseLine } from './lines.ts'
import type { Message } from './messages.ts'

const HEX32 = 'ab'.repeat(32)
const cancel: Message = { _class: 'Cancel', ID: '__payer__' }

describe('lines (§2.1)', () => {
  it('parses the five shapes', () => {
    expect(parseLine(`{"challenge":"${HEX32}"}\n`)).toEqual({ kind: 'challenge', challenge: HEX32 })
    expect(parseLine('{"index":null,"message":{"_class":"Pay","ID":"x"}}')).toEqual({
      kind: 'connect',
      message: { _class: 'Pay', ID: 'x' },
    })
    expect(parseLine('{"index":65535,"message":{"_class":"Nope"}}')).toEqual({
      kind: 'message',
      index: 65_535,
      message: { _class: 'Nope' },
    })
    expect(parseLine('{"received":0}\r\n')).toEqual({ kind: 'received', index: 0 })
    expect(parseLine('{"error":"AMIKO_AUTH_FAILED"}')).toEqual({ kind: 'error', code: 'AMIKO_AUTH_FAILED' })
  })

  it('refuses unparsable JSON and unknown shapes with AMIKO_BAD_JSON', () => {
    for (const text of [
      '',
      '{',
      '[]',
      '"x"',
      'null',
      '{}',
      '{"challenge":"ab"}',
      '{"message":{"_class":"Pay"}}',
      '{"index":65536,"message":{}}',
      '{"index":-1,"message":{}}',
      '{"index":1.5,"message":{}}',
      '{"index":"1","message":{}}',
      '{"index":1,"message":[]}',
      '{"index":null,"message":null}',
      '{"received":null}',
      '{"error":5}',
      '{"received":1,"error":"x"}',
    ]) {
      expect(parseLine(text), text).toEqual({ error: 'AMIKO_BAD_JSON' })
    }
  })

  it('refuses a line over 65 536 bytes, counting UTF-8 bytes and not the newline', () => {
    const fill = (n: number) => `{"error":"${'x'.repeat(n - 12)}"}`
    expect(fill(MAX_LINE_BYTES)).toHaveLength(MAX_LINE_BYTES)
    expect(parseLine(`${fill(MAX_LINE_BYTES)}\n`)).toMatchObject({ kind: 'error' })
    expect(parseLine(fill(MAX_LINE_BYTES + 1))).toEqual({ error: 'AMIKO_LINE_TOO_LONG' })
    expect(parseLine(`{"error":"${'é'.repeat(32_768)}"}`)).toEqual({ error: 'AMIKO_LINE_TOO_LONG' })
  })

  it('formats compact JSON and a newline; typed messages fit', () => {
    expect(formatLine({ kind: 'message', index: 7, message: cancel })).toBe(
      '{"index":7,"message":{"_class":"Cancel","ID":"__payer__"}}\n',
    )
    expect(formatLine({ kind: 'connect', message: cancel })).toMatch(/^\{"index":null,/)
    expect(formatLine({ kind: 'received', index: 3 })).toBe('{"received":3}\n')
  })

  it('round-trips every shape', () => {
    const index = fc.integer({ min: 0, max: 0xffff })
    const message = fc.dictionary(fc.string(), fc.jsonValue())
    const line: fc.Arbitrary<Line> = fc.oneof(
      fc.constant<Line>({ kind: 'challenge', challenge: HEX32 }),
      message.map((m): Line => ({ kind: 'connect', message: m })),
      fc.record({ index, message }).map((r): Line => ({ kind: 'message', ...r })),
      index.map((i): Line => ({ kind: 'received', index: i })),
      fc.string().map((code): Line => ({ kind: 'error', code })),
    )
    fc.assert(
      fc.property(line, (l) => {
        expect(parseLine(formatLine(l))).toEqual(JSON.parse(JSON.stringify(l)))
      }),
    )
  })

  it('garbage in, an error out, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = parseLine(text)
        if (isLineError(r)) expect(['AMIKO_BAD_JSON', 'AMIKO_LINE_TOO_LONG']).toContain(r.error)
      }),
    )
  })
})
