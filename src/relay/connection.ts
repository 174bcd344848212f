/**
 * One live websocket leg of a channel (PROTOCOLS.md P4 §14.2): its connection id (the envelope's
 * `clientID`), role, readiness (false while its queue is being handed over) and heartbeat flag.
 * Writes go through `send`, which closes a peer that does not read (§14.7 back-pressure, 1013).
 */
import type { WebSocket } from 'ws'
import { uuid } from '../core/ids.ts'
import type { RelayRole } from '../p4/relay-envelope.ts'

/** Above this many unsent bytes a peer is closed with 1013 (§14.7). */
export const MAX_BUFFERED = 1024 * 1024

export class Connection {
  readonly id = uuid()
  readonly role: RelayRole
  readonly socket: WebSocket
  /** True once `join.success` and the queue have been written. */
  ready = false
  /** Cleared at each ping, set by each pong (§14.5 heartbeat). */
  alive = true
  /** Invalid frames in the current minute (§14.3: the eleventh closes with 1008). */
  invalidFrames: number[] = []

  constructor(role: RelayRole, socket: WebSocket) {
    this.role = role
    this.socket = socket
  }

  /** Whether the socket can take a frame. */
  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN
  }

  /** Writes `frame`; resolves once written (false when the socket is gone or was closed for back-pressure). */
  send(frame: string): Promise<boolean> {
    if (!this.open) return Promise.resolve(false)
    if (this.socket.bufferedAmount > MAX_BUFFERED) {
      this.socket.close(1013, 'back-pressure')
      return Promise.resolve(false)
    }
    return new Promise((resolve) =>
      this.socket.send(frame, (err) => resolve(err === undefined || err === null)),
    )
  }

  /** Closes the socket with `code` and `reason` unless it is already closing. */
  close(code: number, reason: string): void {
    if (this.open) this.socket.close(code, reason)
  }
}
