/** Test fixtures: PaymentTerms as the merchant would build them. Not exported from the face. */
import type { PaymentTerms } from './payment-terms.ts'

/** A P2PKH locking script. */
export const P2PKH = '76a914751e76e8199196d454941c45d1b3a323f1433bd688ac'

/** Terms of a one-output invoice on the devnet. */
export function sampleTerms(overrides: Partial<PaymentTerms> = {}): PaymentTerms {
  return {
    network: 'regtest',
    outputs: [{ amount: 1000, script: P2PKH, description: 'coffee' }],
    creationTimestamp: Date.UTC(2026, 0, 1, 12),
    expirationTimestamp: Date.UTC(2026, 0, 2, 12),
    memo: 'Invoice Ab3dE6gH9jK2mN5pQ8sT1v',
    paymentUrl: 'https://shop.example/api/v1/payment/Ab3dE6gH9jK2mN5pQ8sT1v',
    paymentId: 'Ab3dE6gH9jK2mN5pQ8sT1v',
    merchant: { name: 'Shop', email: 'shop@example.com', extendedData: { orderNo: '42' } },
    fees: { standard: { satoshis: 1, bytes: 1000 }, data: { satoshis: 2, bytes: 1000 } },
    spvRequired: false,
    ...overrides,
  }
}
