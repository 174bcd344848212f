/**
 * `paylink/wallet`: the payer (protocols-p4.md §2, §4–§6, §8, §9, §13): keys and coins in the
 * store, payment URIs fetched and presented, payments built, reserved, sent and settled by their
 * ACK, and merkle proofs obtained from the broadcaster or the wallet's own proof endpoint.
 */

export {
  estimateFee,
  type PlannedOutput,
  planSpend,
  type SpendableCoin,
  type SpendPlan,
} from './coin-selection.ts'
export type { Balance } from './coins.ts'
export type { FundedCoin } from './devnet-faucet.ts'
export type { PaymentRecord } from './history.ts'
export type { HttpOptions } from './http-request.ts'
export type { PayOptions, PayResult } from './payer.ts'
export { PAYMENT_STATES, PAYMENT_TRANSITIONS, type PaymentState } from './payment-state.ts'
export type { Dialect, Presentation } from './presentation.ts'
export type { ProofServer } from './proof-server.ts'
export type { ProofRecord } from './proofs.ts'
export { type ServiceOptions, Wallet, type WalletOptions } from './wallet.ts'
