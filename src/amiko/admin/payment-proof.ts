/**
 * A payer's proof of payment (protocols-amiko.md §4, Receipt signature): the payee's signature
 * over `ENC("paylink/amiko/receipt/1", amount, receipt, transactionID)` shows what it promised for
 * the amount, and the commit token, which hashes to the transaction ID (§1), shows the payment
 * completed. The proof is a committed payer line of the payment log, as `paylink node payments
 * --json` prints it; its amount is negative there (the payer's sign), the signed one positive.
 */
import { z } from 'zod'
import { tokenMatches } from '../protocol/ids.ts'
import { verify } from '../protocol/signing.ts'
import { receiptSigningData } from '../protocol/signing-data.ts'

/** A proof of payment; other fields of a payment-log line are ignored. */
export const paymentProofSchema = z.object({
  amount: z.int(),
  receipt: z.string(),
  transactionId: z.string(),
  token: z.string().nullable(),
  signature: z.string().nullable(),
  payeeKey: z.string().nullable(),
})
export type PaymentProof = z.infer<typeof paymentProofSchema>

/** The verdict on a proof: valid when `reasons` is empty. */
export interface ProofVerdict {
  valid: boolean
  reasons: string[]
}

/** Checks the token against the transaction ID and the payee's signature over the receipt terms. */
export function verifyPaymentProof(proof: PaymentProof): ProofVerdict {
  const reasons: string[] = []
  if (proof.token === null) reasons.push('no commit token: the payment did not commit')
  else if (!tokenMatches(proof.token, proof.transactionId))
    reasons.push('the token does not hash to the transaction ID (RIPEMD160(SHA256(token)))')
  if (proof.signature === null || proof.payeeKey === null)
    reasons.push('no receipt signature: the payee did not sign the receipt')
  else if (!signatureValid(proof, proof.payeeKey, proof.signature))
    reasons.push('the receipt signature does not verify with the payee key')
  return { valid: reasons.length === 0, reasons }
}

function signatureValid(proof: PaymentProof, payeeKey: string, signature: string): boolean {
  const amount = Math.abs(proof.amount)
  try {
    return verify(payeeKey, receiptSigningData(amount, proof.receipt, proof.transactionId), signature)
  } catch {
    return false // a transaction ID that is not hex cannot be encoded, so nothing was signed
  }
}
