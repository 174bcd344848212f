/**
 * Amiko lines (protocols-amiko.md §2.1): one JSON object per UTF-8 line, in five shapes —
 * challenge, connect message (index null), indexed message, cumulative ack, error. The `message`
 * is kept as a raw object here: a message that fails its schema is still counted and acknowledged
 * (§2.4), so the caller parses it with `parseMessage` after the index bookkeeping.
 */
import { utf8ToBytes } from '../../core/bytes.ts'
import { isHex32 } from './ids.ts'
import { isIndex } from './serial.ts'

/** Longest line accepted, in UTF-8 bytes without its `\n` (§2.1). */
export const MAX_LINE_BYTES = 65_536

/** A `message` object as received: a JSON object, checked later by `parseMessage`. */
export type RawMessage = Record<string, unknown>

/** One line. `message` may be a typed `Message` when sending. */
export type Line =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'connect'; message: RawMessage }
  | { kind: 'message'; index: number; message: RawMessage }
  | { kind: 'received'; index: number }
  | { kind: 'error'; code: string }

/** Why a line was refused; the connection is closed (§2.1). */
export type LineError = { error: 'AMIKO_BAD_JSON' | 'AMIKO_LINE_TOO_LONG' }

const SHAPES = ['challenge', 'message', 'received', 'error'] as const

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function tooLong(text: string): boolean {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short lines skip the encoding.
  return text.length * 3 > MAX_LINE_BYTES && utf8ToBytes(text.replace(/\r?\n$/, '')).length > MAX_LINE_BYTES
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function messageLine(index: unknown, message: unknown): Line | undefined {
  if (!isRecord(message)) return undefined
  if (index === null) return { kind: 'connect', message }
  return isIndex(index) ? { kind: 'message', index, message } : undefined
}

function shapeOf(obj: Record<string, unknown>): Line | undefined {
  const present = SHAPES.filter((k) => Object.hasOwn(obj, k))
  const { challenge, message, index, received, error } = obj
  switch (present.length === 1 ? present[0] : undefined) {
    case 'challenge':
      return typeof challenge === 'string' && isHex32(challenge)
        ? { kind: 'challenge', challenge }
        : undefined
    case 'received':
      return isIndex(received) ? { kind: 'received', index: received } : undefined
    case 'error':
      return typeof error === 'string' ? { kind: 'error', code: error } : undefined
    case 'message':
      return messageLine(index, message)
    case undefined:
      return undefined
  }
}

/** Parses one line (with or without its `\n`). */
export function parseLine(text: string): Line | LineError {
  if (tooLong(text)) return { error: 'AMIKO_LINE_TOO_LONG' }
  const obj = parseJson(text)
  return (isRecord(obj) ? shapeOf(obj) : undefined) ?? { error: 'AMIKO_BAD_JSON' }
}

/** Whether `parseLine` refused the line. */
export function isLineError(x: Line | LineError): x is LineError {
  return 'error' in x && !('kind' in x)
}

/** The wire form of a line: compact JSON and `\n`. */
export function formatLine(line: Line): string {
  return `${JSON.stringify(envelope(line))}\n`
}

function envelope(line: Line): Record<string, unknown> {
  switch (line.kind) {
    case 'challenge':
      return { challenge: line.challenge }
    case 'connect':
      return { index: null, message: line.message }
    case 'message':
      return { index: line.index, message: line.message }
    case 'received':
      return { received: line.index }
    case 'error':
      return { error: line.code }
  }
}
