/** A coin: an output in the UTXO set, or one spent by a transaction still in the mempool. */
export interface Coin {
  txid: string
  vout: number
  satoshis: number
  script: string
  coinbase: boolean
  /** Height of the block holding the creating transaction; null while it is unconfirmed. */
  height: number | null
  spentBy: string | null
}

/** The map key of an outpoint. */
export function outpointKey(txid: string, vout: number): string {
  return `${txid}:${vout}`
}
