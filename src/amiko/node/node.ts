/**
 * An Amiko node (protocols-amiko.md): its TCP listener, neighbour links and pay links, the
 * reliable outboxes (§2.4), timers as rows (§12.4) and the library API. Every input — a line from
 * a peer, a timer, an API call — runs `engine.ts` on a copy of the state inside one store
 * transaction; the copy becomes the state only once the transaction has committed, and only then
 * are its outbox lines and acks written to sockets (§12.1, §12.2). Inputs run one at a time.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { Logger } from 'pino'
import { type Clock, systemClock } from '../../core/clock.ts'
import { PaylinkError } from '../../core/errors.ts'
import { Mutex } from '../../core/mutex.ts'
import { inTransaction, type Store } from '../../store/index.ts'
import {
  AmikoError,
  classifyIndex,
  connectSigningData,
  formatLinkUrl,
  formatPayUrl,
  isAckedBy,
  isAmikoErrorCode,
  isLinkName,
  isMeetingPointId,
  type Line,
  newChallenge,
  newDice,
  newPaymentId,
  newPrivateKey,
  newToken,
  nextIndex,
  OUTBOX_CAPACITY,
  parseLinkUrl,
  parseMessage,
  parsePayUrl,
  publicKeyOf,
  routeId,
  sign,
  transactionIdOf,
} from '../protocol/index.ts'
import { capacity, openEntries } from './channel.ts'
import {
  armTimer,
  confirmPayer,
  DEFAULT_SETTINGS,
  deposit,
  down,
  type Faults,
  onLinkMessage,
  onPay,
  onPayeeMessage,
  onPayerMessage,
  onTimer,
  queueStates,
  refundsAcknowledged,
  type Settings,
  type Target,
  type Tx,
  withdraw,
} from './engine.ts'
import { verifySignature } from './fast-verify.ts'
import {
  emptyState,
  type NodeState,
  newWire,
  type PayeeState,
  type PayerState,
  type TimerState,
  type Wire,
} from './state.ts'
import type { Balance, NodeSummary, PaymentLogLine, PaymentRequest, PayOffer, PayOutcome } from './types.ts'
import { LineSocket } from './wire.ts'

export interface AmikoNodeOptions {
  store: Store
  /** Display name (default `node`). */
  name?: string
  host?: string
  /** TCP port (4321; 0 = any free port). */
  port?: number
  /** The address put into URLs, when not the listen address. */
  advertise?: { host: string; port: number }
  /** Meeting points to host. */
  meetingPoints?: string[]
  settings?: Partial<Settings>
  clock?: Clock
  logger?: Logger
  /** Test hooks (fault injection); never set in production. */
  faults?: Faults
  /** Test hook: the process kills itself (SIGKILL) at this step (see `CRASH_POINTS`). */
  crashAt?: CrashPoint
}

/**
 * Where a fault-injection test may kill a node (issue 6): a `Lock` written to its socket; one
 * received, before its input is stored and after; a token about to be sent (stored, not yet out);
 * a `SettleCommit` written; one received and stored, before its ack.
 */
export const CRASH_POINTS = [
  'lock-sent',
  'lock-received',
  'lock-stored',
  'token-revealed',
  'settle-sent',
  'settle-received',
] as const
export type CrashPoint = (typeof CRASH_POINTS)[number]

interface Conn {
  ls: LineSocket
  /** Outbox index of the last line written on this connection. */
  writtenUpTo: number | null
  /** When it was bound (ms): the peer re-sends its whole outbox right after. */
  since: number
}

/**
 * A lock expiry that fell due while the node was down waits, after a restart, until its downstream
 * link has been back this long (the peer's re-sent backlog may hold the token: a hop that has seen
 * it must be able to claim), but never longer than RESTART_GRACE_MS after `listen`.
 */
const BACKLOG_MS = 1000
const RESTART_GRACE_MS = 10_000

const ROW = 'self'

export class AmikoNode {
  readonly name: string
  readonly nodeKey: string
  readonly #o: AmikoNodeOptions
  readonly #settings: Settings
  readonly #clock: Clock
  readonly #mutex = new Mutex()
  #state: NodeState
  #server: Server | undefined
  #address: { host: string; port: number } | null = null
  readonly #conns = new Map<string, Conn>()
  #waiters: (() => unknown)[] = []
  readonly #dialing = new Set<string>()
  #timer: NodeJS.Timeout | undefined
  #closed = false
  /** The last ack per connection key since the last commit (see `#apply`). */
  readonly #acksSinceCommit = new Map<string, number>()
  /** When `listen` ran (ms, wall clock), for the restart grace of overdue lock expiries. */
  #listenedAt = 0
  /** The node clock (s) when `listen` ran: timers due by then were overdue at the restart. */
  #overdueBy = 0
  /** Lines in the payment-log table. */
  #logLines = 0
  /**
   * `updated_at` of the state row as this process last read or wrote it: each commit is guarded
   * by it, so a second process writing the same store (two nodes on one PostgreSQL schema) is
   * refused instead of silently overwriting this one's state.
   */
  #version = 0
  #crashAt: CrashPoint | undefined
  /** Outcomes of payer and payee objects pruned since start (`payers:…`, `payees:…`), for API callers. */
  readonly #finished = new Map<string, PayOutcome>()
  /** Counters for benchmarks and operators: committed inputs, message lines written and read. */
  readonly stats = { commits: 0, linesOut: 0, linesIn: 0 }

  private constructor(o: AmikoNodeOptions, state: NodeState) {
    this.#o = o
    this.#state = state
    this.name = o.name ?? 'node'
    this.nodeKey = publicKeyOf(state.privateKey)
    this.#settings = { ...DEFAULT_SETTINGS, ...o.settings }
    this.#clock = o.clock ?? systemClock
    this.#crashAt = o.crashAt
  }

  /** Loads the node's state from its store (a new identity on first use). */
  static async open(o: AmikoNodeOptions): Promise<AmikoNode> {
    const row = await o.store.db
      .selectFrom('amiko_state')
      .select(['json', 'updated_at'])
      .where('node', '=', ROW)
      .executeTakeFirst()
    let state: NodeState
    let version = Date.now()
    if (row === undefined) {
      state = emptyState(newPrivateKey())
      await o.store.db
        .insertInto('amiko_state')
        .values({ node: ROW, json: JSON.stringify(state), updated_at: version })
        .execute()
    } else {
      state = JSON.parse(row.json) as NodeState
      version = row.updated_at
    }
    state.tombstones ??= {}
    state.log = []
    const node = new AmikoNode(o, state)
    node.#version = version
    const count = await o.store.db
      .selectFrom('amiko_payment_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('node', '=', ROW)
      .executeTakeFirstOrThrow()
    node.#logLines = Number(count.n)
    for (const id of o.meetingPoints ?? []) await node.makeMeetingPoint(id)
    return node
  }

  // ------------------------------------------------------------ transactions

  #now(): number {
    return Math.floor(this.#clock.now() / 1000)
  }

  /** Runs one input (§12.1): `fn` on a copy of the state, committed whole or not at all. */
  #transact<T>(fn: (tx: Tx) => T, onLink?: { link: string; ledger: boolean }): Promise<T> {
    return this.#mutex.run(() => this.#apply(fn, onLink))
  }

  async #apply<T>(fn: (tx: Tx) => T, onLink?: { link: string; ledger: boolean }): Promise<T> {
    const draft = structuredClone(this.#state)
    const touched = new Set<string>()
    const ledger = new Set<string>()
    const tx: Tx = {
      state: draft,
      now: this.#now(),
      settings: this.#settings,
      privateKey: draft.privateKey,
      publicKey: this.nodeKey,
      send: (target, message) => {
        this.#o.logger?.debug(
          { target: `${target.kind}:${target.id}`, message: message['_class'] },
          'amiko message out',
        )
        queue(wireOf(draft, target), message)
        touched.add(`${target.kind}:${target.id}`)
        const l = target.kind === 'link' ? draft.links[target.id] : undefined
        if (l !== undefined && !isStateMessage(message)) {
          l.ledgerSent++
          ledger.add(target.id)
        }
      },
      usable: (name) => {
        const conn = this.#conns.get(`link:${name}`)
        const l = draft.links[name]
        return (
          conn !== undefined && !conn.ls.closed && l !== undefined && l.wire.outbox.length < OUTBOX_CAPACITY
        )
      },
      ...(this.#o.faults === undefined ? {} : { faults: this.#o.faults }),
    }
    if (onLink?.ledger) {
      const l = draft.links[onLink.link]
      if (l !== undefined) {
        l.ledgerProcessed++
        ledger.add(onLink.link)
      }
    }
    const result = fn(tx)
    // §11 rule 1: every change on a link's channels is acknowledged by a signed State.
    for (const name of ledger) queueStates(tx, name)
    const dropped = prune(draft, this.#state, tx.now, this.#settings)
    const newLines = draft.log
    const firstSeq = this.#logLines
    draft.log = []
    const version = Math.max(Date.now(), this.#version + 1)
    await inTransaction(this.#o.store, async (db) => {
      // The guard is this row's lock: on PostgreSQL a concurrent writer's update waits for it
      // and then finds another version; on SQLite the write lock serialises the two.
      const written = await db
        .updateTable('amiko_state')
        .set({ json: JSON.stringify(draft), updated_at: version })
        .where('node', '=', ROW)
        .where('updated_at', '=', this.#version)
        .executeTakeFirst()
      if (written.numUpdatedRows !== 1n)
        throw new PaylinkError(
          'PL8003',
          'the node store was written by another process: run one node per store',
        )
      for (const [i, line] of newLines.entries()) {
        await db
          .insertInto('amiko_payment_log')
          .values({ node: ROW, seq: firstSeq + i, line: JSON.stringify(line) })
          .execute()
      }
    })
    // Acks that came while this input was being stored were applied to the state it replaces.
    for (const [key, received] of this.#acksSinceCommit) {
      const wire = wireIn(draft, key)
      if (wire !== undefined) wire.outbox = wire.outbox.filter((e) => !isAckedBy(e.index, received))
    }
    this.#acksSinceCommit.clear()
    this.#version = version
    this.#state = draft
    this.#logLines += newLines.length
    for (const [key, outcome] of dropped) this.#finished.set(key, outcome)
    if (this.#finished.size > 10_000) this.#finished.delete(this.#finished.keys().next().value as string)
    this.stats.commits++
    for (const key of touched) this.#flush(key)
    // Waiters re-check their condition after every committed input (and wait again if unmet).
    const waiting = this.#waiters
    this.#waiters = []
    for (const wake of waiting) wake()
    return result
  }

  // ------------------------------------------------------------ sockets

  /** Binds the TCP listener and dials every link that knows its peer's address. */
  async listen(): Promise<{ host: string; port: number }> {
    const host = this.#o.host ?? '127.0.0.1'
    const server = createServer((socket) => this.#accept(socket))
    this.#server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#o.port ?? 4321, host, () => resolve())
    })
    const addr = server.address()
    const port = typeof addr === 'object' && addr !== null ? addr.port : (this.#o.port ?? 4321)
    this.#address = this.#o.advertise ?? { host, port }
    this.#listenedAt = Date.now()
    this.#overdueBy = this.#now()
    for (const name of Object.keys(this.#state.links)) this.#dial(name)
    for (const id of Object.keys(this.#state.payers)) this.#dialPayer(id)
    this.#timer = setInterval(() => this.#fireTimers(), 100)
    this.#timer.unref()
    return { host, port }
  }

  #accept(socket: Socket): void {
    const ls = new LineSocket(socket)
    const challenge = newChallenge()
    ls.write({ kind: 'challenge', challenge })
    ls.onLine(async (line) => {
      if (line.kind !== 'connect') return ls.fail('AMIKO_NOT_BOUND')
      const parsed = parseMessage(line.message)
      if (!parsed.ok) return ls.fail(parsed.code)
      const m = parsed.message as Record<string, unknown> & { _class: string }
      if (m._class === 'Pay') return this.#bindPayee(ls, String(m['ID']))
      if (m._class === 'ConnectLink') return this.#acceptLink(ls, challenge, m)
      return ls.fail('AMIKO_NOT_BOUND')
    })
  }

  async #acceptLink(ls: LineSocket, challenge: string, m: Record<string, unknown>): Promise<void> {
    const name = String(m['ID'])
    const l = this.#state.links[name]
    const nodeKey = String(m['nodeKey'])
    const callbackID = (m['callbackID'] as string | null) ?? null
    const dice = String(m['dice'])
    const signed = verifySignature(
      nodeKey,
      connectSigningData(challenge, name, callbackID, dice, nodeKey),
      String(m['signature']),
    )
    if (l === undefined || !signed || (l.remoteKey !== null && l.remoteKey !== nodeKey))
      return ls.fail('AMIKO_AUTH_FAILED')
    if (l.remoteKey === null) {
      await this.#transact((tx) => {
        const link = tx.state.links[name]
        if (link !== undefined) link.remoteKey = nodeKey
      })
    }
    const theirs = m['challenge'] as string
    ls.write({
      kind: 'connect',
      message: {
        _class: 'ConnectLink',
        ID: callbackID,
        dice,
        callbackHost: this.#address?.host ?? null,
        callbackPort: this.#address?.port ?? null,
        callbackID: name,
        nodeKey: this.nodeKey,
        challenge: null,
        signature: sign(
          this.#state.privateKey,
          connectSigningData(theirs, callbackID, name, dice, this.nodeKey),
        ),
      },
    })
    this.#bind(`link:${name}`, ls)
  }

  async #bindPayee(ls: LineSocket, id: string): Promise<void> {
    const p = this.#state.payees[id]
    if (
      p === undefined ||
      ((p.status === 'committed' || p.status === 'cancelled') && p.wire.outbox.length === 0)
    ) {
      return ls.fail('AMIKO_UNKNOWN_ID')
    }
    const live = this.#conns.get(`payee:${id}`)
    if (live !== undefined && !live.ls.closed) return ls.fail('AMIKO_DUPLICATE_CONNECTION')
    this.#bind(`payee:${id}`, ls)
    await this.#transact((tx) => onPay(tx, id))
  }

  /** Dials link `name` if it knows its peer's address; redials after a drop, 1 s doubling to 60 s. */
  #dial(name: string, attempt = 0): void {
    const l = this.#state.links[name]
    if (this.#closed || l?.remote === null || l === undefined || this.#dialing.has(name)) return
    const remote = l.remote
    this.#dialing.add(name)
    const socket = createConnection({ host: remote.host, port: remote.port })
    const ls = new LineSocket(socket)
    let bound = false
    const dice = newDice()
    const challenge = newChallenge()
    ls.onLine(async (line) => {
      if (line.kind === 'challenge' && !bound) {
        ls.write({
          kind: 'connect',
          message: {
            _class: 'ConnectLink',
            ID: remote.name,
            dice,
            callbackHost: this.#address?.host ?? null,
            callbackPort: this.#address?.port ?? null,
            callbackID: name,
            nodeKey: this.nodeKey,
            challenge,
            signature: sign(
              this.#state.privateKey,
              connectSigningData(line.challenge, remote.name, name, dice, this.nodeKey),
            ),
          },
        })
        return
      }
      if (line.kind === 'connect' && !bound) {
        const m = line.message as Record<string, unknown>
        const key = String(m['nodeKey'])
        const ok =
          m['_class'] === 'ConnectLink' &&
          m['dice'] === dice &&
          (l.remoteKey === null || l.remoteKey === key) &&
          verifySignature(
            key,
            connectSigningData(challenge, name, remote.name, dice, key),
            String(m['signature']),
          )
        if (!ok) return ls.fail('AMIKO_AUTH_FAILED')
        if (this.#state.links[name]?.remoteKey === null) {
          await this.#transact((tx) => {
            const link = tx.state.links[name]
            if (link !== undefined) link.remoteKey = key
          })
        }
        bound = true
        attempt = 0
        this.#bind(`link:${name}`, ls)
        return
      }
      if (!bound) return ls.fail('AMIKO_NOT_BOUND')
    })
    socket.on('close', () => {
      this.#dialing.delete(name)
      if (this.#closed) return
      const delay = Math.min(60_000, 1000 * 2 ** attempt)
      setTimeout(() => this.#dial(name, attempt + 1), bound ? 200 : delay).unref()
    })
  }

  /** Dials the payee of payer `id` while its pay link has something to do (§2.5). */
  #dialPayer(id: string, attempt = 0): void {
    const p = this.#state.payers[id]
    if (this.#closed || p === undefined || this.#dialing.has(`payer:${id}`)) return
    if ((p.status === 'committed' || p.status === 'cancelled') && p.wire.outbox.length === 0) return
    this.#dialing.add(`payer:${id}`)
    const socket = createConnection({ host: p.host, port: p.port })
    const ls = new LineSocket(socket)
    let bound = false
    ls.onLine((line) => {
      if (line.kind === 'challenge' && !bound) {
        bound = true
        ls.write({ kind: 'connect', message: { _class: 'Pay', ID: p.paymentId } })
        this.#bind(`payer:${id}`, ls)
        return
      }
      if (!bound) return ls.fail('AMIKO_NOT_BOUND')
    })
    socket.on('close', () => {
      this.#dialing.delete(`payer:${id}`)
      if (this.#closed) return
      const delay = Math.min(60_000, 1000 * 2 ** attempt)
      setTimeout(() => this.#dialPayer(id, attempt + 1), delay).unref()
    })
  }

  /** A connection is bound to `key` (`link:…`, `payer:…`, `payee:…`): it now carries that object's traffic. */
  #bind(key: string, ls: LineSocket): void {
    const old = this.#conns.get(key)
    if (old !== undefined && old.ls !== ls) old.ls.close()
    const conn: Conn = { ls, writtenUpTo: null, since: Date.now() }
    this.#conns.set(key, conn)
    ls.onLine((line) => this.#onLine(key, conn, line))
    ls.socket.on('close', () => {
      if (this.#conns.get(key) === conn) this.#conns.delete(key)
    })
    // §2.4: after the handshake the whole outbox is re-sent, in index order.
    this.#flush(key)
  }

  async #onLine(key: string, conn: Conn, line: Line): Promise<void> {
    if (line.kind === 'received') return this.#acked(key, line.index)
    if (line.kind === 'error') return
    if (line.kind !== 'message') return conn.ls.fail('AMIKO_NOT_BOUND')
    this.stats.linesIn++
    const wire = this.#wire(key)
    if (wire === undefined) return conn.ls.fail('AMIKO_UNKNOWN_ID')
    const kind = classifyIndex(line.index, wire.lastReceived)
    if (kind === 'gap') return conn.ls.fail('AMIKO_INDEX_GAP')
    if (kind === 'duplicate') {
      conn.ls.write({ kind: 'received', index: wire.lastReceived })
      return
    }
    const messageClass = (line.message as { _class?: unknown })._class
    if (messageClass === 'Lock') this.#crash('lock-received')
    const faults = this.#o.faults
    const held = typeof messageClass === 'string' ? faults?.delay?.[messageClass] : undefined
    if (held !== undefined) await new Promise((r) => setTimeout(r, held))
    const dropped = typeof messageClass === 'string' && faults?.drop?.includes(messageClass) === true
    try {
      await this.#process(key, line.index, dropped ? { _class: '__dropped__' } : line.message)
    } catch (err) {
      // Not the message's fault (the store failed, or a bug): it is not acknowledged, and the
      // peer sends it again after the reconnect. A token it may carry is not lost.
      this.#o.logger?.error({ err, key }, 'amiko input failed: not acknowledged, the link reconnects')
      conn.ls.close()
      return
    }
    if (messageClass === 'Lock') this.#crash('lock-stored')
    if (messageClass === 'SettleCommit') this.#crash('settle-received')
    this.#flush(key)
    conn.ls.write({ kind: 'received', index: line.index })
  }

  /** Processes message number `index` on `key`; a rejected one is still counted and acknowledged (§2.4, §12.1). */
  async #process(key: string, index: number, raw: unknown): Promise<void> {
    const [kind, id] = splitKey(key)
    const dropped = (raw as { _class?: unknown })._class === '__dropped__'
    const failed = this.#o.faults?.fail?.includes(String((raw as { _class?: unknown })._class)) === true
    const parsed = parseMessage(raw)
    const m = parsed.ok ? (parsed.message as Record<string, unknown> & { _class: string }) : undefined
    this.#o.logger?.debug({ key, index, message: m?._class ?? null }, 'amiko message in')
    const onLink =
      kind === 'link' ? { link: id, ledger: dropped || m === undefined || !isStateMessage(m) } : undefined
    const step = (tx: Tx): void => {
      const wire = wireOf(tx.state, { kind, id })
      wire.lastReceived = index
      if (dropped) return
      if (failed) throw new AmikoError('AMIKO_BAD_STATE', 'injected failure')
      if (m === undefined) throw new AmikoError(parsed.ok ? 'AMIKO_BAD_FIELD' : parsed.code, 'rejected')
      if (kind === 'link') onLinkMessage(tx, id, m)
      else if (kind === 'payee') onPayeeMessage(tx, id, m)
      else onPayerMessage(tx, id, m)
    }
    await this.#mutex.run(async () => {
      try {
        await this.#apply(step, onLink)
      } catch (err) {
        // §12.1: a rejected message is recorded as processed, so it is acknowledged and never
        // replayed; anything else is no rejection (see #onLine).
        if (!(err instanceof AmikoError)) throw err
        this.#o.logger?.info({ code: err.code, key, message: m?._class }, 'amiko message rejected')
        await this.#apply((tx) => {
          wireOf(tx.state, { kind, id }).lastReceived = index
        }, onLink)
      }
    })
  }

  #acked(key: string, received: number): void {
    const wire = this.#wire(key)
    if (wire === undefined) return
    // Acks change only the outbox: kept in memory and persisted with the next input (a restart
    // re-sends what was acked since, and the peer drops it as a duplicate).
    this.#acksSinceCommit.set(key, received)
    const acked = wire.outbox.filter((e) => isAckedBy(e.index, received))
    wire.outbox = wire.outbox.filter((e) => !isAckedBy(e.index, received))
    this.#closeFinishedPayLink(key)
    const [kind, id] = splitKey(key)
    const refunds = kind === 'link' ? this.#ackedRefunds(id, acked) : []
    // A refund's acknowledgement makes it final (§9.4): that much is an input of its own.
    if (refunds.length > 0 && !this.#closed) {
      this.#transact((tx) => refundsAcknowledged(tx, id, refunds))
        .then(() => this.#flush(key))
        .catch((err: unknown) => this.#o.logger?.error({ err }, 'amiko refund acknowledgement failed'))
    }
  }

  /** The acknowledged `SettleRollback`s among `acked` whose entry on link `name` is still `refunded`. */
  #ackedRefunds(name: string, acked: Wire['outbox']): { transactionId: string; isPayerSide: boolean }[] {
    const channels = this.#state.links[name]?.channels ?? []
    return acked
      .map((e) => e.message as { _class?: unknown; transactionID?: unknown; isPayerSide?: unknown })
      .filter((m) => m._class === 'SettleRollback')
      .map((m) => ({ transactionId: String(m.transactionID), isPayerSide: m.isPayerSide === true }))
      .filter((r) => channels.some((c) => c.done[routeId(r.isPayerSide, r.transactionId)] === 'refunded'))
  }

  #wire(key: string): Wire | undefined {
    return wireIn(this.#state, key)
  }

  /** Writes the outbox lines not yet written on the connection of `key`. */
  #flush(key: string): void {
    const conn = this.#conns.get(key)
    const wire = this.#wire(key)
    if (conn === undefined || conn.ls.closed || wire === undefined) return
    const from = conn.writtenUpTo === null ? -1 : wire.outbox.findIndex((e) => e.index === conn.writtenUpTo)
    for (const entry of wire.outbox.slice(from + 1)) {
      const sending = entry.message['_class']
      if (sending === 'Commit' || sending === 'RequestCommit') this.#crash('token-revealed')
      conn.ls.write({ kind: 'message', index: entry.index, message: entry.message })
      if (sending === 'Lock') this.#crash('lock-sent')
      if (sending === 'SettleCommit') this.#crash('settle-sent')
      conn.writtenUpTo = entry.index
      this.stats.linesOut++
    }
    this.#closeFinishedPayLink(key)
  }

  /** A finished pay link is closed once its outbox is empty (§2.4). */
  #closeFinishedPayLink(key: string): void {
    const [kind, id] = splitKey(key)
    if (kind === 'link') return
    const obj = kind === 'payer' ? this.#state.payers[id] : this.#state.payees[id]
    if (obj === undefined || obj.wire.outbox.length > 0) return
    if (obj.status !== 'committed' && obj.status !== 'cancelled') return
    if (kind === 'payer') setTimeout(() => this.#conns.get(key)?.ls.close(), 50).unref()
    // An empty input lets `prune` drop the finished object now rather than at the next message.
    if (!this.#closed) this.#transact(() => undefined).catch(() => undefined)
  }

  #fireTimers(): void {
    if (this.#closed) return
    const now = this.#now()
    const due = this.#state.timers.filter((t) => t.fireAt <= now).sort((a, b) => a.fireAt - b.fireAt)
    for (const t of due) {
      if (this.#heldAfterRestart(t)) continue
      this.#transact((tx) => {
        if (tx.state.timers.some((x) => x.kind === t.kind && x.target === t.target && x.fireAt <= tx.now))
          onTimer(tx, t.kind, t.target)
      }).catch((err: unknown) => this.#o.logger?.error({ err }, 'amiko timer failed'))
    }
  }

  /** Whether overdue lock expiry `t` still waits for its downstream link's backlog (see BACKLOG_MS). */
  #heldAfterRestart(t: TimerState): boolean {
    const startedAt = this.#listenedAt
    // fireAt is on the node clock (a test's manual clock too); the grace itself is wall time.
    if (t.kind !== 'expiry' || t.fireAt > this.#overdueBy || Date.now() >= startedAt + RESTART_GRACE_MS)
      return false
    const rec = this.#state.records[t.target]
    const hop = rec === undefined ? null : down(rec)
    if (hop?.kind !== 'link') return false
    const conn = this.#conns.get(`link:${hop.id}`)
    return conn === undefined || Date.now() - conn.since < BACKLOG_MS
  }

  /**
   * Resolves with `check()`'s first defined value, checked now and after every committed input
   * (taken at that commit: a finished object may be pruned by a later one).
   */
  #wait<T>(check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const now = check()
      if (now !== undefined) return resolve(now)
      const timer = setTimeout(
        () => reject(new AmikoError('AMIKO_TIMEOUT', `no answer in ${timeoutMs} ms`)),
        timeoutMs,
      )
      const again = (): void => {
        const value = check()
        if (value === undefined) {
          this.#waiters.push(again)
          return
        }
        clearTimeout(timer)
        resolve(value)
      }
      this.#waiters.push(again)
    })
  }

  /** Test hook: dies at `point` if armed there (what has been written stays written). */
  #crash(point: CrashPoint): void {
    if (this.#crashAt !== point) return
    this.#o.logger?.warn({ point }, 'amiko test hook: crashing')
    process.kill(process.pid, 'SIGKILL')
  }

  /** Test hook: arms (or disarms) a crash point. */
  armCrash(point: CrashPoint | undefined): void {
    this.#crashAt = point
  }

  // ------------------------------------------------------------ API

  /** Makes link `name`; with the peer's `amikolink://` URL it dials it. Returns this side's URL. */
  async makeLink(name: string, remote?: string): Promise<{ url: string }> {
    if (!isLinkName(name) || name in this.#state.payees)
      throw new AmikoError('AMIKO_BAD_FIELD', `bad link name ${name}`)
    if (name in this.#state.links) throw new AmikoError('AMIKO_BAD_STATE', `link ${name} exists`)
    const peer = remote === undefined ? undefined : parseLinkUrl(remote)
    await this.#transact((tx) => {
      tx.state.links[name] = {
        name,
        remoteKey: peer?.key ?? null,
        remote: peer === undefined ? null : { host: peer.host, port: peer.port, name: peer.name },
        wire: newWire(),
        channels: [],
        ledgerSent: 0,
        ledgerProcessed: 0,
      }
    })
    if (this.#server !== undefined) this.#dial(name)
    return { url: this.#linkUrl(name) }
  }

  #linkUrl(name: string): string {
    const at = this.#address ?? { host: this.#o.host ?? '127.0.0.1', port: this.#o.port ?? 4321 }
    return formatLinkUrl({ host: at.host, port: at.port, name, key: this.nodeKey })
  }

  /** Opens a channel on `link` with `amount` of ours, asking the peer to add `remoteAmount`; resolves once it is open. */
  async deposit(link: string, amount: number, remoteAmount = 0): Promise<{ channelIndex: number }> {
    const channelIndex = await this.#transact((tx) => deposit(tx, link, amount, remoteAmount))
    await this.#wait(
      () => (this.#state.links[link]?.channels[channelIndex]?.status === 'open' ? true : undefined),
      30_000,
    ).catch(() => undefined)
    return { channelIndex }
  }

  async makeMeetingPoint(id: string): Promise<void> {
    if (!isMeetingPointId(id)) throw new AmikoError('AMIKO_BAD_FIELD', `bad meeting point ID ${id}`)
    const bound = this.#settings.externalMeetingPoints[id]
    if (bound !== undefined && bound !== this.nodeKey)
      throw new AmikoError('AMIKO_MEETING_POINT_REJECTED', `${id} is bound to another node's key`)
    await this.#transact((tx) => {
      tx.state.meetingPoints[id] ??= {}
    })
  }

  /** Creates a payment request (§6.1 step 1): the token is durable before the URL is returned. */
  async request(amount: number, receipt: string): Promise<PaymentRequest> {
    if (!Number.isSafeInteger(amount) || amount < 1)
      throw new AmikoError('AMIKO_BAD_FIELD', 'amount must be a positive integer')
    const meetingPoints = [
      ...Object.keys(this.#state.meetingPoints),
      ...Object.keys(this.#settings.externalMeetingPoints).filter((id) => !(id in this.#state.meetingPoints)),
    ].slice(0, 16)
    if (meetingPoints.length === 0)
      throw new AmikoError('AMIKO_MEETING_POINT_REJECTED', 'no meeting point to offer')
    const token = newToken()
    const transactionId = transactionIdOf(token)
    const paymentId = newPaymentId()
    await this.#transact((tx) => {
      tx.state.payees[paymentId] = {
        id: paymentId,
        status: 'initial',
        amount,
        receipt,
        token,
        transactionId,
        meetingPoints,
        meetingPoint: null,
        receiptSent: false,
        record: null,
        reason: null,
        wire: newWire(),
        createdAt: tx.now,
      }
      armTimer(tx, 'requestExpiry', paymentId, tx.now + tx.settings.requestExpiry)
    })
    return { paymentId, url: this.#payUrl(paymentId), transactionId, amount, receipt }
  }

  #payUrl(id: string): string {
    const at = this.#address ?? { host: this.#o.host ?? '127.0.0.1', port: this.#o.port ?? 4321 }
    return formatPayUrl({ host: at.host, port: at.port, id })
  }

  /** Connects to the payee of `url` and resolves with its terms (§6.1 steps 3–4). */
  async pay(url: string): Promise<PayOffer> {
    const target = parsePayUrl(url)
    const id = await this.#transact((tx) => {
      const id = `__payer__/${tx.state.nextPayer++}`
      tx.state.payers[id] = {
        id,
        url,
        host: target.host,
        port: target.port,
        paymentId: target.id,
        status: 'initial',
        amount: null,
        receipt: null,
        transactionId: null,
        meetingPoints: [],
        meetingPoint: null,
        signature: null,
        payeeKey: null,
        token: null,
        record: null,
        reason: null,
        wire: newWire(),
        createdAt: tx.now,
      }
      armTimer(tx, 'receipt', id, tx.now + tx.settings.receiptTimeout)
      return id
    })
    this.#dialPayer(id)
    const p = await this.#wait(
      () => {
        const payer = this.#state.payers[id]
        return payer?.status === 'initial' ? undefined : (payer ?? null)
      },
      (this.#settings.receiptTimeout + 5) * 1000,
    )
    if (p === null || p.status !== 'hasReceipt') {
      const reason = p?.reason ?? ''
      throw new AmikoError(
        isAmikoErrorCode(reason) ? reason : 'AMIKO_CANCELLED_BY_PAYEE',
        'payment cancelled',
      )
    }
    return {
      payer: id,
      amount: p.amount as number,
      receipt: p.receipt as string,
      transactionId: p.transactionId as string,
      meetingPoint: p.meetingPoint as string,
      signed: p.signature !== null,
      payeeKey: p.payeeKey,
    }
  }

  /** The user's decision; resolves when the payment is committed or cancelled. */
  async confirm(payer: string, agree: boolean, timeoutMs = 600_000): Promise<PayOutcome> {
    await this.#transact((tx) => confirmPayer(tx, payer, agree))
    return this.#wait(
      () => outcomeOf(this.#state.payers[payer]) ?? this.#finished.get(`payers:${payer}`),
      timeoutMs,
    )
  }

  /** Resolves when the payee object `paymentId` has finished. */
  async payeeOutcome(paymentId: string, timeoutMs = 600_000): Promise<PayOutcome> {
    return this.#wait(
      () => outcomeOf(this.#state.payees[paymentId]) ?? this.#finished.get(`payees:${paymentId}`),
      timeoutMs,
    )
  }

  async withdraw(link: string, channel: number): Promise<void> {
    await this.#transact((tx) => withdraw(tx, link, channel))
  }

  balance(): Balance {
    const links: Balance['links'] = {}
    let total = 0
    for (const l of Object.values(this.#state.links)) {
      const local = l.channels.reduce((s, c) => s + c.amountLocal, 0)
      const remote = l.channels.reduce((s, c) => s + c.amountRemote, 0)
      links[l.name] = { local, remote }
      total += local
    }
    return { links, total }
  }

  /** The payment log (§12.6), oldest first. */
  async payments(): Promise<PaymentLogLine[]> {
    const rows = await this.#o.store.db
      .selectFrom('amiko_payment_log')
      .select('line')
      .where('node', '=', ROW)
      .orderBy('seq')
      .execute()
    return rows.map((r) => JSON.parse(r.line) as PaymentLogLine)
  }

  list(): NodeSummary {
    const s = this.#state
    return {
      name: this.name,
      nodeKey: this.nodeKey,
      listen: this.#address,
      meetingPoints: Object.keys(s.meetingPoints),
      links: Object.values(s.links).map((l) => ({
        name: l.name,
        url: this.#linkUrl(l.name),
        remoteKey: l.remoteKey,
        connected: this.#conns.has(`link:${l.name}`),
        outbox: l.wire.outbox.length,
        channels: l.channels.map((c) => {
          const entries = openEntries(c)
          return {
            index: c.index,
            status: c.status,
            local: c.amountLocal,
            remote: c.amountRemote,
            reserved: entries.filter((e) => !e.locked).reduce((sum, e) => sum + e.entry.amount, 0),
            locked: entries.filter((e) => e.locked).reduce((sum, e) => sum + e.entry.amount, 0),
            coSigned: c.coSigned !== null,
            diverged: c.diverged,
          }
        }),
      })),
      payers: Object.values(s.payers).map((p) => ({
        id: p.id,
        status: p.status,
        amount: p.amount,
        receipt: p.receipt,
        transactionId: p.transactionId,
      })),
      payees: Object.values(s.payees).map((p) => ({
        id: p.id,
        status: p.status,
        amount: p.amount,
        receipt: p.receipt,
        transactionId: p.transactionId,
        url: this.#payUrl(p.id),
      })),
      liveRecords: Object.values(s.records).filter(
        (r) => r.status !== 'committed' && r.status !== 'cancelled',
      ).length,
      timers: s.timers.length,
    }
  }

  /** The state as committed (tests check the ledger invariants of §13 on it). */
  snapshot(): NodeState {
    return structuredClone(this.#state)
  }

  /** Capacity of each channel (I1): balances plus open entries. */
  capacities(): Record<string, number[]> {
    return Object.fromEntries(Object.values(this.#state.links).map((l) => [l.name, l.channels.map(capacity)]))
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    for (const conn of this.#conns.values()) conn.ls.close()
    this.#conns.clear()
    await this.#mutex.run(() => undefined)
    await new Promise<void>((resolve) =>
      this.#server === undefined ? resolve() : this.#server.close(() => resolve()),
    )
  }
}

/** The outcome of a finished payer or payee object; undefined while it runs. */
function outcomeOf(p: PayerState | PayeeState | undefined): PayOutcome | undefined {
  if (p?.status !== 'committed' && p?.status !== 'cancelled') return undefined
  return { state: p.status, reason: p.reason, token: p.token }
}

/**
 * Drops what a finished payment leaves (§9.1, §12): records of a transaction whose records have
 * all ended become tombstones (kept maxExpiry + 1 day), and payer and payee objects that had
 * already ended before this input and whose outbox is empty go (their outcome is in the log).
 */
function prune(draft: NodeState, before: NodeState, now: number, settings: Settings): [string, PayOutcome][] {
  const dropped: [string, PayOutcome][] = []
  const live = new Set<string>()
  for (const r of Object.values(draft.records)) {
    if (r.status !== 'committed' && r.status !== 'cancelled') live.add(r.transactionId)
  }
  for (const [key, r] of Object.entries(draft.records)) {
    if (live.has(r.transactionId)) continue
    draft.tombstones[key] = { status: r.status, at: now }
    delete draft.records[key]
  }
  const keep = settings.maxExpiry + 86_400
  for (const [key, t] of Object.entries(draft.tombstones)) if (now - t.at > keep) delete draft.tombstones[key]
  for (const [kind, objects] of [
    ['payers', draft.payers],
    ['payees', draft.payees],
  ] as const) {
    for (const [id, p] of Object.entries(objects)) {
      const was = (before[kind] as Record<string, PayerState | PayeeState>)[id]
      const outcome = outcomeOf(p)
      // §2.4: a finished pay link's outbox whose peer has not come back for 24 h may go (it moves no money).
      const abandoned = now - (p.finishedAt ?? now) > 86_400
      if (outcomeOf(was) === undefined || outcome === undefined || (p.wire.outbox.length > 0 && !abandoned))
        continue
      delete objects[id]
      dropped.push([`${kind}:${id}`, outcome])
    }
  }
  return dropped
}

/** The outbox and counters of connection key `key` (`link:…`, `payer:…`, `payee:…`) in `s`. */
function wireIn(s: NodeState, key: string): Wire | undefined {
  const [kind, id] = splitKey(key)
  return (kind === 'link' ? s.links[id] : kind === 'payer' ? s.payers[id] : s.payees[id])?.wire
}

function splitKey(key: string): ['link' | 'payer' | 'payee', string] {
  const at = key.indexOf(':')
  return [key.slice(0, at) as 'link' | 'payer' | 'payee', key.slice(at + 1)]
}

function wireOf(state: NodeState, target: Target): Wire {
  const obj =
    target.kind === 'link'
      ? state.links[target.id]
      : target.kind === 'payer'
        ? state.payers[target.id]
        : state.payees[target.id]
  if (obj === undefined) throw new AmikoError('AMIKO_UNKNOWN_ID', `no ${target.kind} ${target.id}`)
  return obj.wire
}

function queue(wire: Wire, message: Record<string, unknown>): void {
  if (wire.outbox.length >= OUTBOX_CAPACITY) throw new AmikoError('AMIKO_OUTBOX_FULL', 'outbox full')
  wire.outbox.push({ index: wire.nextIndex, message })
  wire.nextIndex = nextIndex(wire.nextIndex)
}

function isStateMessage(m: Record<string, unknown>): boolean {
  return (
    m['_class'] === 'ChannelMessage' &&
    (m['message'] as { _class?: unknown } | undefined)?._class === 'SignedIOUChannel_State'
  )
}
