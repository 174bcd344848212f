/**
 * Relay channels in the store (PROTOCOLS.md P4 §14.1): one per invoice, owned by the merchant
 * key that created it, with three role tokens (merchant, customer, proof) kept as hashes.
 */
import type { Clock } from '../core/clock.ts'
import { randomId, randomToken } from '../core/ids.ts'
import type { Store } from '../store/index.ts'
import type { RelayChannelsTable } from '../store/schema.ts'
import { type ChannelState, canMove } from './channel-states.ts'
import { hashSecret } from './secrets.ts'

/** A channel row as the relay uses it. */
export interface Channel {
  id: string
  ownerHash: string
  merchantTokenHash: string
  customerTokenHash: string
  proofTokenHash: string
  state: ChannelState
  reference: string | null
  ackTxid: string | null
  /** When a merchant connection was last seen (ms), for customer joins after a restart (§14.2). */
  merchantSeenAt: number | null
  expiresAt: number
  createdAt: number
}

/** A new channel with its tokens in clear (returned once, to its creator). */
export interface CreatedChannel {
  channel: Channel
  merchantToken: string
  customerToken: string
  proofToken: string
}

function fromRow(r: RelayChannelsTable): Channel {
  return {
    id: r.id,
    ownerHash: r.owner_hash,
    merchantTokenHash: r.merchant_token_hash,
    customerTokenHash: r.customer_token_hash,
    proofTokenHash: r.proof_token_hash,
    state: r.state,
    reference: r.reference,
    ackTxid: r.ack_txid,
    merchantSeenAt: r.merchant_seen_at === null ? null : Number(r.merchant_seen_at),
    expiresAt: Number(r.expires_at),
    createdAt: Number(r.created_at),
  }
}

export class Channels {
  readonly #store: Store
  readonly #clock: Clock

  constructor(store: Store, clock: Clock) {
    this.#store = store
    this.#clock = clock
  }

  /** Creates a channel for the key `ownerHash`, open for `ttlSeconds`. */
  async create(ownerHash: string, ttlSeconds: number, reference: string | null): Promise<CreatedChannel> {
    const now = this.#clock.now()
    const tokens = { merchantToken: randomToken(), customerToken: randomToken(), proofToken: randomToken() }
    const row: RelayChannelsTable = {
      id: randomId(),
      owner_hash: ownerHash,
      merchant_token_hash: hashSecret(tokens.merchantToken),
      customer_token_hash: hashSecret(tokens.customerToken),
      proof_token_hash: hashSecret(tokens.proofToken),
      state: 'open',
      reference,
      ack_txid: null,
      merchant_seen_at: null,
      expires_at: now + ttlSeconds * 1000,
      created_at: now,
    }
    await this.#store.db.insertInto('relay_channels').values(row).execute()
    return { channel: fromRow(row), ...tokens }
  }

  /** The channel `id`, or undefined. */
  async get(id: string): Promise<Channel | undefined> {
    const row = await this.#store.db
      .selectFrom('relay_channels')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : fromRow(row)
  }

  /** How many channels of `ownerHash` are open (a channel past `expiresAt` no longer counts). */
  async openCount(ownerHash: string): Promise<number> {
    const row = await this.#store.db
      .selectFrom('relay_channels')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner_hash', '=', ownerHash)
      .where('state', '=', 'open')
      .where('expires_at', '>', this.#clock.now())
      .executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  /** Moves the channel to `to` when the transition table allows it; returns whether it moved. */
  async move(id: string, to: ChannelState): Promise<boolean> {
    const channel = await this.get(id)
    if (channel === undefined || !canMove(channel.state, to)) return false
    await this.#store.db
      .updateTable('relay_channels')
      .set({ state: to })
      .where('id', '=', id)
      .where('state', '=', channel.state)
      .execute()
    return true
  }

  /** Records that a merchant connection was seen on `id` at `at`. */
  async merchantSeen(id: string, at: number): Promise<void> {
    await this.#store.db
      .updateTable('relay_channels')
      .set({ merchant_seen_at: at })
      .where('id', '=', id)
      .execute()
  }

  /** Records an error-0 ACK: `ackTxid`, and `expiresAt` pushed to at least `until`. */
  async recordAck(id: string, txid: string | null, until: number): Promise<number> {
    const channel = await this.get(id)
    const expiresAt = Math.max(channel?.expiresAt ?? 0, until)
    await this.#store.db
      .updateTable('relay_channels')
      .set({ expires_at: expiresAt, ...(txid === null ? {} : { ack_txid: txid }) })
      .where('id', '=', id)
      .execute()
    return expiresAt
  }
}
