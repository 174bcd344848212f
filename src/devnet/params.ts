/**
 * Chain parameters and relay policy of the devnet. Regtest-like: trivial proof of work, coinbase
 * maturity as on mainnet, one fee rate for standard and data bytes (`--fee-rate` /
 * `--fee-bytes`), published by ARC `/v1/policy` and mAPI `feeQuote` exactly as enforced.
 */
import { MAX_SATOSHIS } from '../core/amount.ts'

export interface ChainParams {
  /** Compact target of every block: regtest's easiest target. */
  bits: number
  /** Blocks a coinbase output must wait before it is spent (tip height − its height ≥ maturity − 1). */
  coinbaseMaturity: number
  /** Satoshis in the genesis coinbase, all paid to the faucet. */
  genesisSatoshis: number
  /** Network name used in URIs and PaymentRequests. */
  network: 'regtest'
}

export interface Policy {
  /** Mining fee: `satoshis` per `bytes`, for standard and data bytes alike. */
  fee: { satoshis: number; bytes: number }
  /** Outputs below this many satoshis are refused, except data (OP_RETURN) outputs. */
  dustLimit: number
  maxTxSize: number
  maxScriptSize: number
  maxSigOps: number
}

export const DEFAULT_PARAMS: ChainParams = {
  bits: 0x207fffff,
  coinbaseMaturity: 100,
  genesisSatoshis: MAX_SATOSHIS,
  network: 'regtest',
}

export const DEFAULT_POLICY: Policy = {
  fee: { satoshis: 1, bytes: 1000 },
  dustLimit: 1,
  maxTxSize: 10_000_000,
  maxScriptSize: 500_000,
  maxSigOps: 4_294_967_295,
}

/** The largest request body the devnet reads: a maximal transaction as hex in JSON, with room. */
export function bodyLimit(policy: Policy): number {
  return policy.maxTxSize * 2 + 1024 * 1024
}
