/**
 * The outpoint an input spends. `@bsv/sdk` keeps the source txid in `sourceTXID` when a
 * transaction is parsed from bytes, but an input built from a `sourceTransaction` may leave it
 * unset (the txid is derived when serialising), so read it the way the serialiser does.
 */
import type { TransactionInput } from '@bsv/sdk'

/** The txid of the transaction whose output `input` spends. */
export function sourceTxid(input: TransactionInput): string {
  return input.sourceTXID ?? input.sourceTransaction!.id('hex')
}

/** `txid:vout` of the output `input` spends. */
export function outpointOf(input: TransactionInput): string {
  return `${sourceTxid(input)}:${input.sourceOutputIndex}`
}
