/**
 * The devnet ledger: UTXO set, mempool (chains of unconfirmed transactions allowed), block chain.
 * Every accepted transaction and every mined block is committed to the store before it is
 * answered (DESIGN.md "durable before visible"); the in-memory indexes are rebuilt from the store
 * on open, so a restart keeps chain, mempool and pending callbacks.
 * What may enter the mempool is decided by `admission.ts`; a transaction already known is
 * accepted again without a second effect.
 */
import { type LockingScript, type MerklePath, Transaction } from '@bsv/sdk'
import type { Clock } from '../core/clock.ts'
import { Mutex } from '../core/mutex.ts'
import { inTransaction, type Store, type Tx } from '../store/index.ts'
import { type Admitted, admit, outputsOf, StagedView } from './admission.ts'
import { type BuiltBlock, buildBlock, buildCoinbase } from './block-builder.ts'
import { ChainIndex, type ChainTip } from './chain-index.ts'
import { type Coin, outpointKey } from './coin.ts'
import type { ChainParams, Policy } from './params.ts'
import type { Rejection } from './rejection.ts'
import type { CallbackSink, Subscription, TxEvent } from './subscription.ts'

/** A transaction the ledger took (or already had). */
export interface Acceptance {
  kind: 'accepted'
  txid: string
  /** False when the transaction was already known: a resubmission. */
  fresh: boolean
}

/** What the ledger knows of a transaction. */
export interface TxState {
  txid: string
  raw: string
  status: 'SEEN_ON_NETWORK' | 'MINED'
  block?: { hash: string; height: number; index: number }
}

interface MempoolEntry {
  txid: string
  seq: number
  fee: number
  /** Unconfirmed transactions this one spends from. */
  parents: Set<string>
}

export interface LedgerOptions {
  params: ChainParams
  policy: Policy
  clock: Clock
  /** Who receives genesis coins (the faucet) and block fees (the miner). */
  genesisScript: LockingScript
  minerScript: LockingScript
  callbacks: CallbackSink
}

export class Ledger {
  readonly #store: Store
  readonly #opts: LedgerOptions
  readonly #mutex = new Mutex()
  readonly #coins = new Map<string, Coin>()
  readonly #mempool = new Map<string, MempoolEntry>()
  readonly #minedListeners = new Set<(txids: ReadonlySet<string>) => void>()
  readonly chain: ChainIndex
  #seq = 0

  private constructor(store: Store, opts: LedgerOptions, chain: ChainIndex) {
    this.#store = store
    this.#opts = opts
    this.chain = chain
  }

  /** Opens the ledger of `store`, creating genesis (and maturing its coins) on first use. */
  static async open(store: Store, opts: LedgerOptions): Promise<Ledger> {
    const chain = await ChainIndex.load(store.db)
    const ledger = new Ledger(store, opts, chain)
    await ledger.#loadState()
    if (chain.height < 0) {
      await ledger.#mineBlock(buildCoinbase(0, opts.params.genesisSatoshis, opts.genesisScript), [])
      await ledger.mine(opts.params.coinbaseMaturity)
    }
    return ledger
  }

  async #loadState(): Promise<void> {
    const db = this.#store.db
    const coins = await db
      .selectFrom('devnet_outputs as o')
      .innerJoin('devnet_txs as t', 't.txid', 'o.txid')
      .leftJoin('devnet_txs as s', 's.txid', 'o.spent_by')
      .select(['o.txid', 'o.vout', 'o.satoshis', 'o.script', 'o.coinbase', 'o.spent_by', 't.block_height'])
      // Unspent, or spent by a transaction still in the mempool (kept for conflict answers).
      .where((eb) => eb.or([eb('o.spent_by', 'is', null), eb('s.block_height', 'is', null)]))
      .execute()
    for (const c of coins) {
      this.#coins.set(outpointKey(c.txid, c.vout), {
        txid: c.txid,
        vout: c.vout,
        satoshis: c.satoshis,
        script: c.script,
        coinbase: c.coinbase === 1,
        height: c.block_height,
        spentBy: c.spent_by,
      })
    }
    const pending = await db
      .selectFrom('devnet_txs')
      .select(['txid', 'seq', 'fee', 'raw'])
      .where('block_height', 'is', null)
      .orderBy('seq')
      .execute()
    for (const row of pending) {
      const tx = Transaction.fromHex(row.raw)
      const parents = new Set(tx.inputs.map((i) => i.sourceTXID!).filter((id) => this.#mempool.has(id)))
      this.#mempool.set(row.txid, { txid: row.txid, seq: row.seq, fee: row.fee, parents })
    }
    const last = await db
      .selectFrom('devnet_txs')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst()
    this.#seq = Number(last?.seq ?? 0)
  }

  /** The best block. */
  get tip(): ChainTip {
    return this.chain.tip
  }

  /** Number of unconfirmed transactions. */
  get mempoolSize(): number {
    return this.#mempool.size
  }

  /** Calls `listener` with the txids of every block mined from now on; returns an unsubscribe. */
  onMined(listener: (txids: ReadonlySet<string>) => void): () => void {
    this.#minedListeners.add(listener)
    return () => this.#minedListeners.delete(listener)
  }

  /** Validates `tx` and, when valid, adds it to the mempool (durably) with its subscription. */
  accept(tx: Transaction, subscription?: Subscription): Promise<Acceptance | Rejection> {
    return this.acceptPackage([tx], subscription)
  }

  /**
   * Admits a package: unconfirmed ancestors in order, the subject last (a BEEF). All members not
   * yet known are admitted together, in one store transaction, or none is; a refused ancestor
   * refuses the subject. The subscription is for the subject.
   */
  acceptPackage(txs: readonly Transaction[], subscription?: Subscription): Promise<Acceptance | Rejection> {
    return this.#mutex.run(() => this.#acceptPackage(txs, subscription))
  }

  async #acceptPackage(
    txs: readonly Transaction[],
    subscription?: Subscription,
  ): Promise<Acceptance | Rejection> {
    const subject = txs.at(-1)
    if (subject === undefined) throw new RangeError('empty package')
    const subjectTxid = subject.id('hex')
    const view = new StagedView(this)
    const admitted: Admitted[] = []
    for (const tx of txs) {
      const txid = tx.id('hex')
      if (await this.#known(txid)) continue
      const outcome = admit(tx, txid, view, this.#opts.policy)
      if (outcome.kind === 'rejected') {
        return txid === subjectTxid
          ? outcome
          : { ...outcome, txid: subjectTxid, detail: `ancestor ${txid}: ${outcome.detail}` }
      }
      view.apply(outcome)
      admitted.push(outcome)
    }
    const fresh = admitted.at(-1)?.txid === subjectTxid
    if (!fresh) {
      if (subscription !== undefined) await this.#resubscribe(subjectTxid, subscription)
      return { kind: 'accepted', txid: subjectTxid, fresh: false }
    }
    await this.#commitAdmitted(admitted, subscription)
    return { kind: 'accepted', txid: subjectTxid, fresh: true }
  }

  /** A coin of the UTXO set (or spent by a mempool transaction), for admission. */
  coin(txid: string, vout: number): Coin | undefined {
    return this.#coins.get(outpointKey(txid, vout))
  }

  /** Whether a coin may be spent in the next block (coinbase maturity). */
  isMature(coin: Coin): boolean {
    if (!coin.coinbase || coin.height === null) return true
    return this.chain.height + 1 - coin.height >= this.#opts.params.coinbaseMaturity
  }

  async #known(txid: string): Promise<boolean> {
    if (this.#mempool.has(txid)) return true
    const row = await this.#store.db
      .selectFrom('devnet_txs')
      .select('txid')
      .where('txid', '=', txid)
      .executeTakeFirst()
    return row !== undefined
  }

  /** Commits admitted transactions (the last one the subject), then updates memory. */
  async #commitAdmitted(admitted: Admitted[], subscription: Subscription | undefined): Promise<void> {
    const now = this.#opts.clock.now()
    const subject = admitted.at(-1)!.txid
    await inTransaction(this.#store, async (db) => {
      for (const [i, a] of admitted.entries()) {
        const row = { txid: a.txid, raw: a.tx.toHex(), fee: a.fee, seq: this.#seq + i + 1, received_at: now }
        await db
          .insertInto('devnet_txs')
          .values({ ...row, block_height: null, block_index: null })
          .execute()
        for (const c of a.spent) {
          await db
            .updateTable('devnet_outputs')
            .set({ spent_by: a.txid })
            .where('txid', '=', c.txid)
            .where('vout', '=', c.vout)
            .execute()
        }
        const outputs = outputsOf(a).map(({ txid, vout, satoshis, script }) => ({
          txid,
          vout,
          satoshis,
          script,
          coinbase: 0,
          spent_by: null,
        }))
        if (outputs.length > 0) await db.insertInto('devnet_outputs').values(outputs).execute()
      }
      if (subscription !== undefined) {
        await this.#subscribe(db, subject, subscription, {
          txid: subject,
          status: 'SEEN_ON_NETWORK',
          timestamp: now,
        })
      }
    })
    for (const a of admitted) {
      const seq = ++this.#seq
      for (const c of a.spent) this.#coins.get(outpointKey(c.txid, c.vout))!.spentBy = a.txid
      for (const c of outputsOf(a)) this.#coins.set(outpointKey(c.txid, c.vout), c)
      const parents = new Set(a.spent.filter((c) => c.height === null).map((c) => c.txid))
      this.#mempool.set(a.txid, { txid: a.txid, seq, fee: a.fee, parents })
    }
  }

  /** Stores a subscription and, with full status updates, the SEEN_ON_NETWORK callback. */
  async #subscribe(db: Tx, txid: string, sub: Subscription, seen: TxEvent): Promise<void> {
    await db
      .insertInto('devnet_subscriptions')
      .values({ txid, url: sub.url, token: sub.token, api: sub.api, full_status: sub.fullStatus ? 1 : 0 })
      .onConflict((oc) =>
        oc.columns(['txid', 'url']).doUpdateSet({ token: sub.token, full_status: sub.fullStatus ? 1 : 0 }),
      )
      .execute()
    if (sub.fullStatus) await this.#opts.callbacks.enqueue(db, sub, seen)
  }

  /** A resubmission with a callback URL registers it too (and a mined tx calls back at once). */
  async #resubscribe(txid: string, sub: Subscription): Promise<void> {
    const state = await this.status(txid)
    // Read before the transaction: on SQLite it holds the one connection these reads would wait for.
    const path = await this.merklePath(txid)
    const now = this.#opts.clock.now()
    await inTransaction(this.#store, async (db) => {
      await this.#subscribe(db, txid, sub, { txid, status: 'SEEN_ON_NETWORK', timestamp: now })
      if (state?.block !== undefined) {
        const block = { hash: state.block.hash, height: state.block.height }
        await this.#opts.callbacks.enqueue(db, sub, {
          txid,
          status: 'MINED',
          timestamp: now,
          block,
          merklePath: path,
        })
      }
    })
  }

  /** What the ledger knows of `txid`, or undefined. */
  async status(txid: string): Promise<TxState | undefined> {
    const row = await this.#store.db
      .selectFrom('devnet_txs')
      .select(['raw', 'block_height', 'block_index'])
      .where('txid', '=', txid)
      .executeTakeFirst()
    if (row === undefined) return undefined
    if (row.block_height === null || row.block_index === null)
      return { txid, raw: row.raw, status: 'SEEN_ON_NETWORK' }
    const block = {
      hash: this.chain.at(row.block_height)!.hash,
      height: row.block_height,
      index: row.block_index,
    }
    return { txid, raw: row.raw, status: 'MINED', block }
  }

  /** The BUMP of a mined transaction, or undefined while it is unconfirmed or unknown. */
  async merklePath(txid: string): Promise<MerklePath | undefined> {
    const state = await this.status(txid)
    if (state?.block === undefined) return undefined
    return this.chain.merklePath(this.#store.db, state.block.height, state.block.index)
  }

  /** Unspent coins locked by `scriptHex` (confirmed or not), oldest first. */
  coinsFor(scriptHex: string): Coin[] {
    return [...this.#coins.values()].filter((c) => c.spentBy === null && c.script === scriptHex)
  }

  /**
   * Mines `count` blocks. With `only`, one block holding just that mempool transaction and its
   * unconfirmed ancestors (the faucet uses this so it never mines other people's transactions).
   */
  mine(count: number, only?: string): Promise<ChainTip> {
    return this.#mutex.run(async () => {
      for (let i = 0; i < count; i++) {
        const picked = only === undefined ? [...this.#mempool.values()] : this.#withAncestors(only)
        const fees = picked.reduce((n, e) => n + e.fee, 0)
        await this.#mineBlock(buildCoinbase(this.chain.height + 1, fees, this.#opts.minerScript), picked)
      }
      return this.chain.tip
    })
  }

  #withAncestors(txid: string): MempoolEntry[] {
    const out = new Map<string, MempoolEntry>()
    const visit = (id: string): void => {
      const entry = this.#mempool.get(id)
      if (entry === undefined || out.has(id)) return
      for (const parent of entry.parents) visit(parent)
      out.set(id, entry)
    }
    visit(txid)
    return [...out.values()].sort((a, b) => a.seq - b.seq)
  }

  async #mineBlock(coinbase: Transaction, entries: MempoolEntry[]): Promise<void> {
    const height = this.chain.height + 1
    const now = this.#opts.clock.now()
    const block = buildBlock({
      prev: this.chain.height < 0 ? undefined : this.chain.tip,
      coinbase,
      txids: entries.map((e) => e.txid),
      bits: this.#opts.params.bits,
      time: Math.floor(now / 1000),
    })
    const subscribed = await this.#subscriptionsOf(block)
    const cbTxid = block.txids[0]!
    // A coinbase of an empty block pays nothing; a zero-value coin would only be dust.
    const outputs = coinbase.outputs
      .map((o, vout) => ({
        txid: cbTxid,
        vout,
        satoshis: o.satoshis ?? 0,
        script: o.lockingScript.toHex(),
        coinbase: 1,
        spent_by: null,
      }))
      .filter((o) => o.satoshis > 0)
    await inTransaction(this.#store, async (db) => {
      await this.chain.insert(db, height, block)
      await db
        .insertInto('devnet_txs')
        .values({
          txid: cbTxid,
          raw: coinbase.toHex(),
          fee: 0,
          seq: -height - 1,
          block_height: height,
          block_index: 0,
          received_at: now,
        })
        .execute()
      if (outputs.length > 0) await db.insertInto('devnet_outputs').values(outputs).execute()
      for (const [index, txid] of block.txids.entries()) {
        if (index > 0)
          await db
            .updateTable('devnet_txs')
            .set({ block_height: height, block_index: index })
            .where('txid', '=', txid)
            .execute()
      }
      for (const { sub, txid, index } of subscribed) {
        const merklePath = this.chain.pathFrom(block.txids, height, index)
        const event: TxEvent = {
          txid,
          status: 'MINED',
          timestamp: now,
          block: { hash: block.hash, height },
          merklePath,
        }
        await this.#opts.callbacks.enqueue(db, sub, event)
      }
    })
    this.chain.append(height, block)
    for (const o of outputs)
      this.#coins.set(outpointKey(cbTxid, o.vout), { ...o, coinbase: true, height, spentBy: null })
    this.#settleMined(block, height)
  }

  /** Updates memory after a block committed: confirmed coins, spent coins leave, mempool shrinks. */
  #settleMined(block: BuiltBlock, height: number): void {
    const mined = new Set(block.txids.slice(1))
    for (const [k, coin] of this.#coins) {
      if (mined.has(coin.txid)) coin.height = height
      if (coin.spentBy !== null && mined.has(coin.spentBy)) this.#coins.delete(k)
    }
    for (const txid of mined) this.#mempool.delete(txid)
    for (const entry of this.#mempool.values()) for (const txid of mined) entry.parents.delete(txid)
    for (const listener of this.#minedListeners) listener(mined)
  }

  async #subscriptionsOf(block: BuiltBlock): Promise<{ sub: Subscription; txid: string; index: number }[]> {
    if (block.txids.length < 2) return []
    const rows = await this.#store.db
      .selectFrom('devnet_subscriptions')
      .selectAll()
      .where('txid', 'in', block.txids.slice(1))
      .execute()
    const index = new Map(block.txids.map((t, i) => [t, i]))
    return rows.map((r) => ({
      sub: { url: r.url, token: r.token, api: r.api, fullStatus: r.full_status === 1 },
      txid: r.txid,
      index: index.get(r.txid)!,
    }))
  }

  /** Conservation check: everything issued is either unspent or a fee waiting in the mempool. */
  audit(): { issued: number; unspent: number; mempoolFees: number } {
    let unspent = 0
    for (const c of this.#coins.values()) if (c.spentBy === null) unspent += c.satoshis
    let mempoolFees = 0
    for (const e of this.#mempool.values()) mempoolFees += e.fee
    return { issued: this.#opts.params.genesisSatoshis, unspent, mempoolFees }
  }

  /** Resolves when `txid` is in a block, or after `timeoutMs`; true when mined. */
  async waitMined(txid: string, timeoutMs: number): Promise<boolean> {
    if (!this.#mempool.has(txid)) return (await this.status(txid))?.status === 'MINED'
    return new Promise((resolve) => {
      const done = (mined: boolean): void => {
        clearTimeout(timer)
        off()
        resolve(mined)
      }
      const off = this.onMined((txids) => {
        if (txids.has(txid)) done(true)
      })
      const timer = setTimeout(() => done(false), timeoutMs)
    })
  }
}
