/**
 * Amiko line transport (protocols-amiko.md §2.1): UTF-8 lines over TCP, one JSON object each. A
 * line longer than 65 536 bytes closes the connection without buffering further. `LineSocket`
 * hands complete parsed lines to its owner one at a time, in order (the next only after the
 * owner's handler has finished), and writes lines.
 */
import type { Socket } from 'node:net'
import { formatLine, isLineError, type Line, MAX_LINE_BYTES, parseLine } from '../protocol/index.ts'

export type LineHandler = (line: Line) => Promise<void> | void

export class LineSocket {
  readonly socket: Socket
  #buffer: Buffer[] = []
  #buffered = 0
  #queue: Promise<void> = Promise.resolve()
  #handler: LineHandler | undefined
  closed = false

  constructor(socket: Socket) {
    this.socket = socket
    socket.setNoDelay(true)
    socket.setKeepAlive(true, 30_000)
    socket.on('data', (chunk: Buffer) => this.#data(chunk))
    socket.on('close', () => {
      this.closed = true
    })
    socket.on('error', () => {
      this.closed = true
    })
  }

  /** Sets who receives lines from now on. */
  onLine(handler: LineHandler): void {
    this.#handler = handler
  }

  #data(chunk: Buffer) {
    if (this.closed) return
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(10, start)
      if (nl < 0) break
      const piece = chunk.subarray(start, nl)
      const size = this.#buffered + piece.length
      if (size > MAX_LINE_BYTES) return this.fail('AMIKO_LINE_TOO_LONG')
      const text = Buffer.concat([...this.#buffer, piece]).toString('utf8')
      this.#buffer = []
      this.#buffered = 0
      this.#deliver(text)
      start = nl + 1
    }
    const rest = chunk.subarray(start)
    if (this.#buffered + rest.length > MAX_LINE_BYTES) return this.fail('AMIKO_LINE_TOO_LONG')
    if (rest.length > 0) {
      this.#buffer.push(Buffer.from(rest))
      this.#buffered += rest.length
    }
  }

  #deliver(text: string): void {
    const line = parseLine(text)
    if (isLineError(line)) {
      this.fail(line.error)
      return
    }
    this.#queue = this.#queue.then(async () => {
      if (this.closed || this.#handler === undefined) return
      await this.#handler(line)
    })
  }

  write(line: Line): void {
    if (!this.closed) this.socket.write(formatLine(line))
  }

  /** Sends `{"error": code}` and closes (§2.1). */
  fail(code: string): void {
    if (this.closed) return
    this.socket.end(formatLine({ kind: 'error', code }))
    this.closed = true
    this.socket.destroySoon?.()
  }

  close(): void {
    this.closed = true
    this.socket.destroy()
  }
}
