/**
 * Inbound filtering on a relay channel (PROTOCOLS.md P4 §14.4): a peer drops messages carrying
 * its own `X-Origin-Id` (the reference relay echoes to the sender) and any `messageId` seen
 * before (the last 1000 kept; a relay crash may resend a queued entry, §14.5).
 */
import type { Envelope } from '../p4/relay-envelope.ts'

export const ORIGIN_HEADER = 'X-Origin-Id'

export class MessageFilter {
  readonly #origin: string
  readonly #seen = new Set<string>()
  readonly #limit: number

  constructor(origin: string, limit = 1000) {
    this.#origin = origin
    this.#limit = limit
  }

  /** Whether `message` should be handled (and, if so, remembers its `messageId`). */
  admit(message: Envelope): boolean {
    if (message.headers[ORIGIN_HEADER]?.includes(this.#origin) === true) return false
    if (message.messageId === '') return true
    if (this.#seen.has(message.messageId)) return false
    this.#seen.add(message.messageId)
    if (this.#seen.size > this.#limit) {
      const oldest = this.#seen.values().next().value
      if (oldest !== undefined) this.#seen.delete(oldest)
    }
    return true
  }
}
