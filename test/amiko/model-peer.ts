/**
 * A scripted neighbour for the Amiko model test: it speaks the real line protocol of
 * protocols-amiko.md §2 to a node over loopback — the authenticated `ConnectLink` handshake
 * (§2.3), indexed messages with cumulative acks (§2.4) — and lets the test send whatever it wants:
 * well-formed messages, replays of old indices, out-of-window indices and raw garbage lines.
 * Every indexed send waits for the node's ack, so when it returns the node's store transaction for
 * it has committed and every line the node queued before it has arrived here (§2.4 ack ordering).
 */
import { type Socket, connect as tcp } from 'node:net'
import {
  connectSigningData,
  formatLine,
  isLineError,
  type Line,
  newChallenge,
  newDice,
  newPrivateKey,
  nextIndex,
  parseLine,
  publicKeyOf,
  sign,
} from '../../src/amiko/protocol/index.ts'

type Waiter = { match: (line: Line) => boolean; resolve: (line: Line) => void }

/** What the node did with a line that was not a plain next message. */
export type LineOutcome = { kind: 'ack'; index: number } | { kind: 'closed'; error: string | null }

export class LinkPeer {
  readonly privateKey = newPrivateKey()
  readonly nodeKey = publicKeyOf(this.privateKey)
  /** Index our next message gets (§2.4). */
  nextIndex = 0
  /** The last index of the node's messages processed here (65535 before any). */
  lastReceived = 0xffff
  /** The node's messages, each once, in order. */
  readonly inbox: Record<string, unknown>[] = []
  /** Our messages by index, for replays. */
  readonly sent = new Map<number, Record<string, unknown>>()
  /** While false, the node's messages are taken in but not acknowledged. */
  autoAck = true
  #socket: Socket | undefined
  #buffer = ''
  #waiters: Waiter[] = []
  #closed: Promise<string | null> = Promise.resolve(null)
  #lastError: string | null = null

  constructor(
    readonly port: number,
    /** The node's name for this link (`ConnectLink.ID`). */
    readonly linkName: string,
  ) {}

  /** Connects and completes the handshake; the node then re-sends its outbox (§2.3 step 4). */
  async connect(): Promise<void> {
    const socket = tcp({ host: '127.0.0.1', port: this.port })
    this.#socket = socket
    this.#buffer = ''
    // Whatever waited on the last connection will never be answered on this one.
    this.#waiters = []
    this.#lastError = null
    this.#closed = new Promise((resolve) => socket.on('close', () => resolve(this.#lastError)))
    socket.on('error', () => undefined)
    socket.on('data', (chunk: Buffer) => this.#data(chunk.toString('utf8')))
    const greeting = await this.#next((l) => l.kind === 'challenge')
    if (greeting.kind !== 'challenge') throw new Error('no challenge')
    const dice = newDice()
    const callbackID = 'peer'
    const message = {
      _class: 'ConnectLink',
      ID: this.linkName,
      dice,
      callbackHost: null,
      callbackPort: null,
      callbackID,
      nodeKey: this.nodeKey,
      challenge: newChallenge(),
      signature: sign(
        this.privateKey,
        connectSigningData(greeting.challenge, this.linkName, callbackID, dice, this.nodeKey),
      ),
    }
    this.#write(formatLine({ kind: 'connect', message }))
    const answer = await this.#next((l) => l.kind === 'connect' || l.kind === 'error')
    if (answer.kind !== 'connect') throw new Error(`handshake refused: ${JSON.stringify(answer)}`)
  }

  /** Cuts the connection (the node keeps its outbox for the next one). */
  async cut(): Promise<void> {
    this.#socket?.destroy()
    await this.#closed
  }

  /** Sends the next indexed message and waits for its ack. */
  async send(message: Record<string, unknown>): Promise<void> {
    const index = this.nextIndex
    this.nextIndex = nextIndex(index)
    this.sent.set(index, message)
    const outcome = await this.sendLine(formatLine({ kind: 'message', index, message }))
    if (outcome.kind !== 'ack' || outcome.index !== index)
      throw new Error(`message ${index} not acknowledged: ${JSON.stringify(outcome)}`)
  }

  /** Re-sends our message `index` with its old index (a duplicate, §2.4). */
  replay(index: number): Promise<LineOutcome> {
    const message = this.sent.get(index)
    if (message === undefined) throw new Error(`nothing sent at ${index}`)
    return this.sendLine(formatLine({ kind: 'message', index, message }))
  }

  /** Writes `text` as is and reports the node's answer: an ack, or the connection closed. */
  async sendLine(text: string): Promise<LineOutcome> {
    const closed = this.#closed.then((error): LineOutcome => ({ kind: 'closed', error }))
    const acked = this.#next((l) => l.kind === 'received').then(
      (l): LineOutcome => ({ kind: 'ack', index: l.kind === 'received' ? l.index : -1 }),
    )
    this.#write(text)
    return Promise.race([acked, closed])
  }

  /** Acknowledges everything taken in so far (after `autoAck` was off). */
  ackAll(): void {
    this.#write(formatLine({ kind: 'received', index: this.lastReceived }))
  }

  #write(text: string): void {
    this.#socket?.write(text)
  }

  #next(match: (line: Line) => boolean): Promise<Line> {
    return new Promise((resolve) => this.#waiters.push({ match, resolve }))
  }

  #data(text: string): void {
    this.#buffer += text
    for (let nl = this.#buffer.indexOf('\n'); nl >= 0; nl = this.#buffer.indexOf('\n')) {
      const raw = this.#buffer.slice(0, nl)
      this.#buffer = this.#buffer.slice(nl + 1)
      const line = parseLine(raw)
      if (isLineError(line)) throw new Error(`node wrote a bad line: ${raw}`)
      this.#take(line)
    }
  }

  #take(line: Line): void {
    if (line.kind === 'error') this.#lastError = line.code
    if (line.kind === 'message') {
      // A re-sent line after a reconnect is a duplicate here: dropped, acknowledged again.
      if (line.index === nextIndex(this.lastReceived)) {
        this.lastReceived = line.index
        this.inbox.push(line.message)
      }
      if (this.autoAck) this.#write(formatLine({ kind: 'received', index: this.lastReceived }))
    }
    const waiter = this.#waiters.find((w) => w.match(line))
    if (waiter !== undefined) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
      waiter.resolve(line)
    }
  }
}
