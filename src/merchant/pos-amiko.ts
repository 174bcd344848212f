/**
 * Amiko payment requests made from the point-of-sale page (issue 8), on the merchant's own
 * Amiko node (the payee): the node makes the request and its `amikopay://` URL (protocols-amiko.md
 * §6.1 step 1); this keeps the list the page shows and reads each request's outcome from the
 * node, waiting → committed or cancelled. The list lives in memory: after a restart the node still
 * finishes every request it holds, the page only forgets the ones it showed.
 */
import QRCode from 'qrcode'
import type { AmikoNode } from '../amiko/node/node.ts'
import type { PaymentLogLine } from '../amiko/node/types.ts'
import type { Clock } from '../core/clock.ts'

/** One Amiko request as the POS page lists it. */
export interface PosAmikoRequest {
  paymentId: string
  url: string
  transactionId: string
  amount: number
  receipt: string
  status: 'waiting' | 'committed' | 'cancelled'
  /** Why it was cancelled (an `AMIKO_*` code). */
  reason: string | null
  createdAt: number
  /** The URL as an SVG QR code (a `data:` URL). */
  qr: string
}

/** How many requests the page keeps listing. */
const KEEP = 50

export class PosAmiko {
  readonly #node: AmikoNode
  readonly #clock: Clock
  readonly #requests: PosAmikoRequest[] = []

  constructor(node: AmikoNode, clock: Clock) {
    this.#node = node
    this.#clock = clock
  }

  /** Makes a request for `amount` satoshis with `receipt`, and follows it to its outcome. */
  async create(amount: number, receipt: string): Promise<PosAmikoRequest> {
    const made = await this.#node.request(amount, receipt)
    const svg = await QRCode.toString(made.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
    const entry: PosAmikoRequest = {
      paymentId: made.paymentId,
      url: made.url,
      transactionId: made.transactionId,
      amount: made.amount,
      receipt: made.receipt,
      status: 'waiting',
      reason: null,
      createdAt: this.#clock.now(),
      qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    }
    this.#requests.unshift(entry)
    this.#requests.length = Math.min(this.#requests.length, KEEP)
    return { ...entry }
  }

  /** The requests, newest first (copies). */
  list(): PosAmikoRequest[] {
    return this.#requests.map((r) => ({ ...r }))
  }

  /**
   * Brings every waiting request up to date: a payee still on the node shows its status; one the
   * node has dropped (finished, its pay link closed) is read from the node's payment log.
   */
  async refresh(): Promise<void> {
    const waiting = this.#requests.filter((r) => r.status === 'waiting')
    if (waiting.length === 0) return
    const live = new Map(this.#node.list().payees.map((p) => [p.id, p.status]))
    let log: PaymentLogLine[] | undefined
    for (const r of waiting) {
      const status = live.get(r.paymentId)
      if (status === 'committed' || status === 'cancelled') r.status = status
      if (status !== undefined) continue
      log ??= await this.#node.payments()
      // The payee's line carries the positive amount; a payer line of this node is negative.
      const line = log.findLast((l) => l.transactionId === r.transactionId && l.amount > 0)
      if (line !== undefined) {
        r.status = line.state
        r.reason = line.reason
      }
    }
  }
}
