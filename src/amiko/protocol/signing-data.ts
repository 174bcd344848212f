/**
 * The data each Amiko signature covers (protocols-amiko.md §2.3 handshake, §4 receipt, §5 meeting
 * point), as `ENC(tag, …)` with hex fields as raw bytes. Sign and verify it with `signing.ts`.
 */
import { enc, hex } from './enc.ts'

/** `ENC("paylink/amiko/receipt/1", amount, receipt, transactionID)`, signed by the payee node (§4). */
export function receiptSigningData(amount: number, receipt: string, transactionID: string): Uint8Array {
  return enc('paylink/amiko/receipt/1', amount, receipt, hex(transactionID))
}

/** `ENC("paylink/amiko/meeting-point/1", meetingPointID, transactionID, amount)`, by the meeting point's node (§5). */
export function meetingPointSigningData(
  meetingPointID: string,
  transactionID: string,
  amount: number,
): Uint8Array {
  return enc('paylink/amiko/meeting-point/1', meetingPointID, hex(transactionID), amount)
}

/**
 * `ENC("paylink/amiko/connect/1", challenge, ID, callbackID, dice, nodeKey)` (§2.3). `challenge` is
 * the one the *other* side sent (`cA` from the acceptor, `cC` from the connector); `ID`, `callbackID`,
 * `dice` and `nodeKey` are those of the `ConnectLink` being signed (the acceptor's answer has
 * `ID` = the connector's `callbackID`, so either may be null). Five positional parameters, past
 * the style limit of four, so that the call reads in the spec's order.
 */
export function connectSigningData(
  challenge: string,
  ID: string | null,
  callbackID: string | null,
  dice: string,
  nodeKey: string,
): Uint8Array {
  return enc('paylink/amiko/connect/1', hex(challenge), ID, callbackID, hex(dice), hex(nodeKey))
}
