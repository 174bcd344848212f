/** `paylink/devnet`: the embedded BSV development chain. */

export type { Coin } from './coin.ts'
export { Devnet, type DevnetOptions, type DevnetUrls } from './devnet.ts'
export type { FaucetPayment } from './faucet.ts'
export type { Acceptance, TxState } from './ledger.ts'
export { type ChainParams, DEFAULT_PARAMS, DEFAULT_POLICY, type Policy } from './params.ts'
export type { Rejection } from './rejection.ts'
