/**
 * The payer wallet as one object (DESIGN.md `wallet/`, issue "Wallet: library and `paylink
 * wallet`"): keys and coins in the store, fetching and presenting a payment request, paying it
 * (coin reservation, the request's fee rule, BEEF ancestry, the Payment in the request's dialect,
 * the ACK read), re-sending undecided payments, and keeping merkle proofs obtained from the
 * broadcaster or through the wallet's own `proofCallbacks` endpoint.
 */
import { ArcClient } from '../chain/arc-client.ts'
import { HeadersClient } from '../chain/headers-client.ts'
import { type Clock, systemClock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import type { P4Network } from '../p4/payment-terms.ts'
import { parsePaymentUri } from '../p4/uri.ts'
import type { Store } from '../store/index.ts'
import { type Balance, balanceOf } from './coins.ts'
import { type FundedCoin, fundFromDevnet } from './devnet-faucet.ts'
import { listPayments, type PaymentRecord } from './history.ts'
import type { HttpOptions } from './http-request.ts'
import { Payer, type PayOptions, type PayResult } from './payer.ts'
import { type Dialect, fetchPresentation, type Presentation } from './presentation.ts'
import { type ProofServer, serveProofs } from './proof-server.ts'
import { checkProofs, listProofs, type ProofRecord } from './proofs.ts'
import { collectRelayProofs } from './relay-proofs.ts'
import {
  addressOf,
  createIdentity,
  keyAt,
  loadIdentity,
  receiveKey,
  type WalletIdentity,
} from './wallet-keys.ts'
import { fetchWsPresentation } from './ws-presentation.ts'

/** Options of `Wallet.open`. */
export interface WalletOptions {
  /**
   * The wallet store. Several processes may share one (coins are reserved under the store's write
   * lock); within one process use one connection, since better-sqlite3 waits synchronously.
   */
  store: Store
  clock?: Clock
  /** The network of a wallet created now (default `regtest`, the devnet); an existing one must match. */
  network?: P4Network
  /** Create the wallet when the store holds none (default true); false → `PL8001`. */
  create?: boolean
  /** How payment hosts are reached: a CA to trust, plain http beyond loopback, time-out. */
  http?: HttpOptions
}

/** Where a chain service is, and its key. */
export interface ServiceOptions {
  /** Block Headers Service base URL; default the broadcaster's URL (the devnet serves both). */
  headersUrl?: string
  headersKey?: string
  arcKey?: string
}

export class Wallet {
  readonly store: Store
  readonly network: P4Network
  /** Whether this `open` created the wallet. */
  readonly created: boolean
  readonly #clock: Clock
  readonly #identity: WalletIdentity
  readonly #http: HttpOptions
  readonly #payer: Payer

  private constructor(o: WalletOptions, identity: WalletIdentity, created: boolean) {
    this.store = o.store
    this.network = identity.network
    this.created = created
    this.#clock = o.clock ?? systemClock
    this.#identity = identity
    this.#http = o.http ?? {}
    this.#payer = new Payer({ store: o.store, clock: this.#clock, master: identity.master, http: this.#http })
  }

  /** Opens the wallet in `o.store`, creating it (master key, network) unless told not to. */
  static async open(o: WalletOptions): Promise<Wallet> {
    const created = (o.create ?? true) && (await createIdentity(o.store, o.network ?? 'regtest'))
    const identity = await loadIdentity(o.store)
    if (identity === undefined) {
      throw new PaylinkError('PL8001', `no wallet in ${o.store.location}: run paylink wallet init`)
    }
    if (o.network !== undefined && o.network !== identity.network) {
      throw new PaylinkError('PL8006', `this wallet is on ${identity.network}, not ${o.network}`)
    }
    return new Wallet(o, identity, created)
  }

  /** A receive address: the newest one nothing has paid yet, else a fresh one. */
  async address(): Promise<string> {
    const key = await receiveKey(this.store, this.#identity.master, this.#clock)
    return addressOf(keyAt(this.#identity.master, key.key_index), this.network)
  }

  /** Satoshis available, reserved by undecided payments, and not yet confirmed. */
  balance(): Promise<Balance> {
    return balanceOf(this.store)
  }

  /** Gets `satoshis` from the devnet's faucet at `devnetUrl` (loopback development only). */
  async fundFromDevnet(devnetUrl: string, satoshis: number): Promise<FundedCoin> {
    const key = await receiveKey(this.store, this.#identity.master, this.#clock)
    const address = addressOf(keyAt(this.#identity.master, key.key_index), this.network)
    return fundFromDevnet(this.store, this.#clock, { devnetUrl, key, address, satoshis })
  }

  /** Fetches and checks the request of a payment URI, for showing to the customer. */
  async fetchRequest(uri: string, options: { dialect?: Dialect } = {}): Promise<Presentation> {
    const o = { network: this.network, clock: this.#clock, http: this.#http, ...options }
    const parsed = parsePaymentUri(uri, { allowInsecure: this.#http.allowInsecure === true })
    if (parsed.transport === 'websocket') return fetchWsPresentation(uri, parsed, o)
    return fetchPresentation(uri, o)
  }

  /** Pays a presented request; `{state: 'sent'}` means no verdict yet (see `retryPending`). */
  pay(presentation: Presentation, options: PayOptions = {}): Promise<PayResult> {
    return this.#payer.pay(presentation, options)
  }

  /** Sends every undecided payment again, byte for byte; returns how each stands now. */
  retryPending(): Promise<PayResult[]> {
    return this.#payer.retryPending()
  }

  /** Asks the ARC broadcaster at `arcUrl` for the proofs of acked payments that have none. */
  checkProofs(arcUrl: string, services: ServiceOptions = {}): Promise<ProofRecord[]> {
    const arc = new ArcClient(arcUrl, services.arcKey === undefined ? {} : { apiKey: services.arcKey })
    return checkProofs(this.store, this.#clock, arc, this.#headers(services.headersUrl ?? arcUrl, services))
  }

  /**
   * Rejoins the relay channel of each acked payment made over one (model 3) and still without a
   * proof, and stores the `proof.create` the relay kept for it once it verifies.
   */
  collectRelayProofs(headersUrl: string, services: ServiceOptions = {}): Promise<ProofRecord[]> {
    return collectRelayProofs(this.store, this.#clock, this.#headers(headersUrl, services), {
      allowInsecure: this.#http.allowInsecure === true,
    })
  }

  /** Starts this wallet's `proofCallbacks` endpoint; pass its `url` to `pay` as `proofCallbackUrl`. */
  serveProofs(o: {
    headersUrl: string
    headersKey?: string
    port?: number
    host?: string
  }): Promise<ProofServer> {
    return serveProofs({
      store: this.store,
      clock: this.#clock,
      headers: this.#headers(o.headersUrl, o),
      ...(o.port === undefined ? {} : { port: o.port }),
      ...(o.host === undefined ? {} : { host: o.host }),
    })
  }

  /** Every payment, newest first. */
  history(): Promise<PaymentRecord[]> {
    return listPayments(this.store)
  }

  /** Every stored proof, newest first. */
  proofs(): Promise<ProofRecord[]> {
    return listProofs(this.store)
  }

  #headers(url: string, o: { headersKey?: string }): HeadersClient {
    return new HeadersClient(url, o.headersKey === undefined ? {} : { apiKey: o.headersKey })
  }
}
