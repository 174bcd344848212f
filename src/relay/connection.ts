/**
 * One live websocket leg of a channel (PROTOCOLS.md P4 §14.2): its connection id (the envelope's
 * `clientID`), role, readiness (false while its queue is being handed over) and heartbeat flag.
 * Writes go through `send`, which never waits for the peer: a peer that does not read is closed
 * with 1013 once its unsent bytes pass the limit (§14.7 back-pressure), and the messages it was
 * given but the socket never wrote out stay `unwritten`, for the hub to put back in the queue.
 */
import type { WebSocket } from 'ws'
import { uuid } from '../core/ids.ts'
import type { RelayRole } from '../p4/relay-envelope.ts'

/** Above this many unsent bytes a peer is closed with 1013 (§14.7). */
export const MAX_BUFFERED = 1024 * 1024

/** A message handed to the socket; `written` runs once the socket wrote it out. */
export interface Outgoing {
  messageId: string
  frame: string
  written?: () => void
}

export class Connection {
  readonly id = uuid()
  readonly role: RelayRole
  readonly socket: WebSocket
  readonly #maxBuffered: number
  /** True once `join.success` and the queue have been written. */
  ready = false
  /** Cleared at each ping, set by each pong (§14.5 heartbeat). */
  alive = true
  /** Invalid frames in the current minute (§14.3: the eleventh closes with 1008). */
  invalidFrames: number[] = []
  /** Messages handed to the socket and not yet written out, oldest first. */
  readonly unwritten = new Set<Outgoing>()

  constructor(role: RelayRole, socket: WebSocket, maxBuffered = MAX_BUFFERED) {
    this.role = role
    this.socket = socket
    this.#maxBuffered = maxBuffered
  }

  /** Whether the socket can take a frame. */
  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN
  }

  /**
   * Hands `frame` (or a message) to the socket without waiting for the peer; false when the socket
   * is gone, or is over the back-pressure limit (then it is closed with 1013 and `frame` not sent).
   */
  send(frame: string | Outgoing): boolean {
    if (!this.open) return false
    if (this.socket.bufferedAmount > this.#maxBuffered) {
      this.socket.close(1013, 'back-pressure')
      return false
    }
    if (typeof frame === 'string') {
      this.socket.send(frame)
      return true
    }
    this.unwritten.add(frame)
    this.socket.send(frame.frame, (err) => {
      if (err !== undefined && err !== null) return
      this.unwritten.delete(frame)
      frame.written?.()
    })
    return true
  }

  /** Closes the socket with `code` and `reason` unless it is already closing. */
  close(code: number, reason: string): void {
    if (this.open) this.socket.close(code, reason)
  }
}
