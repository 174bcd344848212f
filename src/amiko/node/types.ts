/**
 * What an embedding program (the CLI's admin API, a wallet, a shop) sees of an Amiko node.
 */
import type { PaymentLogLine } from './state.ts'

/** `balance`: each link's local and remote balances summed over its channels; `total` is the sum of local ones. */
export interface Balance {
  links: Record<string, { local: number; remote: number }>
  total: number
}

/** The terms a payer sees before it agrees (§6.1 step 4). */
export interface PayOffer {
  /** Local ID of the payer object (`__payer__/<n>`). */
  payer: string
  amount: number
  receipt: string
  transactionId: string
  meetingPoint: string
  /** Whether the payee's node signed the receipt (verified). */
  signed: boolean
  payeeKey: string | null
}

/** How a payment ended, for the payer or the payee. */
export interface PayOutcome {
  state: 'committed' | 'cancelled'
  /** Why it was cancelled (an `AMIKO_*` code). */
  reason: string | null
  /** The commit token (payer: its proof of payment). */
  token: string | null
}

/** A request made by `request` (§6.1 step 1). */
export interface PaymentRequest {
  paymentId: string
  url: string
  transactionId: string
  amount: number
  receipt: string
}

/** `list`: the node's whole state, summarised. */
export interface NodeSummary {
  name: string
  nodeKey: string
  listen: { host: string; port: number } | null
  meetingPoints: string[]
  links: {
    name: string
    url: string
    remoteKey: string | null
    connected: boolean
    outbox: number
    channels: {
      index: number
      status: string
      local: number
      remote: number
      reserved: number
      locked: number
      coSigned: boolean
      diverged: boolean
    }[]
  }[]
  payers: {
    id: string
    status: string
    amount: number | null
    receipt: string | null
    transactionId: string | null
  }[]
  payees: {
    id: string
    status: string
    amount: number
    receipt: string
    transactionId: string
    url: string
  }[]
  /** Records not yet committed or cancelled, and timers still armed. */
  liveRecords: number
  timers: number
}

export type { PaymentLogLine }
