/**
 * An Amiko node's state as data (protocols-amiko.md §9, §11, §12): links with their channels and
 * outboxes, pay links (payer and payee objects), transaction records, hosted meeting points,
 * timers and the payment log. The whole of it is one JSON document, written in the store
 * transaction of each input, so every field here is plain JSON.
 */

/** An entry of a channel map (§9.4): a reservation or lock of one route ID. */
export interface Entry {
  amount: number
  startTime: number | null
  endTime: number | null
}

export type EntryTombstone = 'settled' | 'rolledBack' | 'released' | 'refunded'

/** One `SignedIOUChannel` as seen from this side (§9.4, §11). */
export interface ChannelState {
  index: number
  status: 'opening' | 'open' | 'closing' | 'closed'
  /** Which side sent `Deposit`. */
  opener: 'local' | 'remote'
  amountLocal: number
  amountRemote: number
  outgoingReserved: Record<string, Entry>
  incomingReserved: Record<string, Entry>
  outgoingLocked: Record<string, Entry>
  incomingLocked: Record<string, Entry>
  /** Finished route IDs, so a repeated message is recognised (§9.4). */
  done: Record<string, EntryTombstone>
  /** Amounts of entries refunded but not yet acknowledged (a crossing settle still wins). */
  refunds?: Record<string, number>
  /** The latest state both sides signed at equal counts (§11 rule 2). */
  coSigned: { stateHash: string; local: string; remote: string; countA: number; countB: number } | null
  /** A peer `State` at equal counts did not match ours (§11, `AMIKO_CHANNEL_DIVERGED`). */
  diverged: boolean
  /** Counts and signature of the last `State` this side queued. */
  lastSent?: { countA: number; countB: number; signature: string }
}

/** A queued, not yet acknowledged message (§2.4). */
export interface OutboxEntry {
  index: number
  message: Record<string, unknown>
}

/** Outbox and receiver bookkeeping of one connection-bound object (link or pay link). */
export interface Wire {
  outbox: OutboxEntry[]
  /** Index the next queued message gets. */
  nextIndex: number
  /** Last index processed from the peer (65535 initially). */
  lastReceived: number
}

/** A neighbour link (§2.3, §5). */
export interface LinkState {
  name: string
  /** The peer's node key: pinned when the link was made, or by the first verified connection. */
  remoteKey: string | null
  /** Where and under which name the peer is reached (its `amikolink://` URL, or its callback). */
  remote: { host: string; port: number; name: string } | null
  wire: Wire
  channels: ChannelState[]
  /** Ledger messages this side has queued / processed on the link (§11 counts). */
  ledgerSent: number
  ledgerProcessed: number
}

export type PayerStatus =
  | 'initial'
  | 'hasReceipt'
  | 'confirmed'
  | 'hasPayerRoute'
  | 'hasPayeeRoute'
  | 'locked'
  | 'committed'
  | 'cancelled'

/** The payer's end of a pay link (§9.2), local ID `__payer__/<n>`. */
export interface PayerState {
  id: string
  url: string
  host: string
  port: number
  paymentId: string
  status: PayerStatus
  amount: number | null
  receipt: string | null
  transactionId: string | null
  meetingPoints: string[]
  meetingPoint: string | null
  signature: string | null
  payeeKey: string | null
  token: string | null
  /** The payer-half record key once routing started. */
  record: string | null
  reason: string | null
  wire: Wire
  createdAt: number
  /** When it ended (committed or cancelled). */
  finishedAt?: number
}

export type PayeeStatus = 'initial' | 'confirmed' | 'sentRequestCommit' | 'committed' | 'cancelled'

/** The payee's end of a pay link (§9.3), keyed by payment ID. */
export interface PayeeState {
  id: string
  status: PayeeStatus
  amount: number
  receipt: string
  /** Erased (null) when the payment is cancelled before release. */
  token: string | null
  transactionId: string
  meetingPoints: string[]
  meetingPoint: string | null
  receiptSent: boolean
  record: string | null
  reason: string | null
  wire: Wire
  createdAt: number
  /** When it ended (committed or cancelled). */
  finishedAt?: number
}

export type RecordStatus =
  | 'makingRoute'
  | 'haveRoute'
  | 'locked'
  | 'requestedCommit'
  | 'rollingBack'
  | 'committed'
  | 'cancelled'

/**
 * One side of a record's route: a link hop (with its channel) or a local object (payer, payee,
 * meeting point), and the expiry agreed for it.
 */
export interface Hop {
  kind: 'link' | 'payer' | 'payee' | 'meetingPoint'
  id: string
  channel: number | null
  expiry: number | null
}

/** A transaction record, one per node per half (§9.1). */
export interface RecordState {
  key: string
  transactionId: string
  isPayerSide: boolean
  status: RecordStatus
  amount: number
  meetingPoint: string
  startTime: number | null
  /** Where `MakeRoute` came from. */
  origin: Hop
  /** The candidate being tried or chosen, towards the meeting point. */
  mpSide: Hop | null
  initialCandidates: string[]
  remainingCandidates: string[]
  token: string | null
  meetingPointSignature: string | null
  reason: string | null
}

export type TimerKind = 'receipt' | 'requestExpiry' | 'route' | 'lock' | 'expiry'

/** A timer as a row (§12.4). `target` is a record key, a payer ID or a payment ID. */
export interface TimerState {
  fireAt: number
  target: string
  kind: TimerKind
}

/** A line of the payment log (§12.6). */
export interface PaymentLogLine {
  /** Signed amount: negative for the payer. */
  amount: number
  receipt: string
  state: 'committed' | 'cancelled'
  transactionId: string
  token: string | null
  /** Receipt signature and payee key, when the payee signed (the payer's proof of payment). */
  signature: string | null
  payeeKey: string | null
  meetingPoint: string | null
  reason: string | null
  finishedAt: number
}

export interface NodeState {
  version: 1
  /** The node's identity key (§1): links are authenticated with it, receipts signed. */
  privateKey: string
  links: Record<string, LinkState>
  payers: Record<string, PayerState>
  payees: Record<string, PayeeState>
  records: Record<string, RecordState>
  /** Hosted meeting points, and for each the first half to arrive (§9.4 `unmatchedRoutes`). */
  meetingPoints: Record<
    string,
    Record<string, { record: string; startTime: number | null; endTime: number | null }>
  >
  timers: TimerState[]
  /** Lines finished by the input being processed; moved to the payment-log table at its commit. */
  log: PaymentLogLine[]
  /**
   * What is kept of finished records, by key (§9.1 tombstones; pruned after maxExpiry + 1 day).
   * Finished payer and payee objects whose pay link is closed are dropped: their outcome is in
   * the payment log.
   */
  tombstones: Record<string, { status: RecordStatus; at: number }>
  nextPayer: number
}

export function emptyState(privateKey: string): NodeState {
  return {
    version: 1,
    privateKey,
    links: {},
    payers: {},
    payees: {},
    records: {},
    meetingPoints: {},
    timers: [],
    log: [],
    tombstones: {},
    nextPayer: 0,
  }
}

export function newWire(): Wire {
  return { outbox: [], nextIndex: 0, lastReceived: 65535 }
}

export const TERMINAL_RECORD: ReadonlySet<RecordStatus> = new Set(['committed', 'cancelled'])
