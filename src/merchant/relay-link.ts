/**
 * The merchant's relay link (PROTOCOLS.md P4 §1 models 2 and 3): channels created per invoice
 * and kept joined by one client. This is what `Invoices` sees as its `relay`.
 */
import type { Logger } from 'pino'
import type { Clock } from '../core/clock.ts'
import type { Store } from '../store/index.ts'
import type { ProofSink } from './broadcast-step.ts'
import type { InvoiceRelay } from './invoices.ts'
import type { PaymentRequests } from './payment-requests.ts'
import type { Payments } from './payments.ts'
import type { Proofs } from './proofs.ts'
import { type ChannelUrls, RelayChannels } from './relay-channels.ts'
import { RelayClient } from './relay-client.ts'

export interface RelayLinkOptions {
  store: Store
  clock: Clock
  relayUrl: string
  relayKey: string
  allowInsecure: boolean
  /** First reconnect delay (ms); default 1 s. */
  retryMs?: number
  logger?: Logger
}

export class RelayLink implements InvoiceRelay {
  readonly channels: RelayChannels
  #client: RelayClient | undefined

  constructor(o: RelayLinkOptions) {
    this.channels = new RelayChannels(o)
  }

  /**
   * Starts the client once requests, payments and proofs exist; rejoins every open channel. Each
   * new proof is then put on its channel (if it came from elsewhere) and the channel closed.
   */
  async start(
    o: Omit<RelayLinkOptions, 'store' | 'clock' | 'relayUrl' | 'relayKey'> & {
      requests: PaymentRequests
      payments: Payments
      proofs: Proofs
    },
  ): Promise<RelayClient> {
    const client = new RelayClient({ ...o, channels: this.channels })
    this.#client = client
    o.proofs.onStored = (proof) => {
      client
        .finish(proof)
        .catch((err: unknown) => o.logger?.warn({ err, invoice: proof.invoiceId }, 'channel not finished'))
    }
    await client.start()
    return client
  }

  /** The relay's proof sink of an invoice's channel, for the broadcaster (§13). */
  async proofSink(invoiceId: string, txid: string): Promise<ProofSink | undefined> {
    const channel = await this.channels.of(invoiceId)
    return channel === undefined ? undefined : this.channels.proofSink(channel, txid)
  }

  create(invoiceId: string, model: 'hybrid' | 'websocket', expiresAt: number): Promise<ChannelUrls> {
    return this.channels.create(invoiceId, model, expiresAt)
  }

  async join(invoiceId: string): Promise<void> {
    const channel = await this.channels.of(invoiceId)
    if (channel !== undefined) await this.#client?.join(channel)
  }

  /** Closes a cancelled invoice's channel (the customer is told `channel.expired`). */
  async cancel(invoiceId: string): Promise<void> {
    const channel = await this.channels.of(invoiceId)
    if (channel?.state === 'open') await this.channels.close(channel)
  }

  async close(): Promise<void> {
    await this.#client?.close()
  }
}
