/**
 * Funding the wallet from a devnet's faucet (`POST /devnet/faucet`, DESIGN.md `paylink devnet`):
 * the faucet pays the wallet's address and mines the payment at once, answering with the
 * transaction as BEEF (its merkle path included). The coin is kept with that BEEF, confirmed, so
 * a Payment spending it carries a complete ancestry (§9).
 */
import { Transaction } from '@bsv/sdk'
import { z } from 'zod'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import type { Store } from '../store/index.ts'
import type { WalletKeysTable } from '../store/schema.ts'
import { addCoin } from './coins.ts'
import { hostFailure } from './host-failure.ts'
import { httpRequest, jsonOf } from './http-request.ts'

const faucetAnswer = z.object({
  txid: z.string().regex(/^[0-9a-f]{64}$/),
  vout: z.number().int().nonnegative(),
  satoshis: z.number().int().positive(),
  beef: z.string().regex(/^[0-9a-fA-F]+$/),
})

/** A coin the faucet paid. */
export interface FundedCoin {
  txid: string
  vout: number
  satoshis: number
  address: string
}

/** Asks the devnet at `devnetUrl` to pay `satoshis` to `key` (whose address is `address`). */
export async function fundFromDevnet(
  store: Store,
  clock: Clock,
  to: { devnetUrl: string; key: WalletKeysTable; address: string; satoshis: number },
): Promise<FundedCoin> {
  const url = `${to.devnetUrl.replace(/\/+$/, '')}/devnet/faucet`
  const answer = await httpRequest(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ address: to.address, satoshis: to.satoshis }),
  })
  if (answer.kind === 'failed') throw new PaylinkError('PL8005', `cannot reach the devnet: ${answer.detail}`)
  const body = jsonOf(answer.text)
  if (answer.status < 200 || answer.status >= 300) throw hostFailure(answer.status, body, 'the devnet faucet')
  const paid = faucetAnswer.safeParse(body)
  if (!paid.success) throw new PaylinkError('PL8005', 'the devnet faucet answered an unknown shape')
  const { txid, vout, satoshis, beef } = paid.data
  const tx = Transaction.fromHexBEEF(beef, txid)
  const output = tx.outputs[vout]
  if (
    tx.id('hex') !== txid ||
    output?.satoshis !== satoshis ||
    output.lockingScript.toHex() !== to.key.script
  ) {
    throw new PaylinkError('PL8005', 'the devnet faucet answered a transaction that does not pay this wallet')
  }
  const now = clock.now()
  await addCoin(store.db, {
    txid,
    vout,
    satoshis,
    script: to.key.script,
    key_index: to.key.key_index,
    state: 'available',
    payment_id: null,
    source_beef: beef,
    confirmed: tx.merklePath === undefined ? 0 : 1,
    created_at: now,
    updated_at: now,
  })
  return { txid, vout, satoshis, address: to.address }
}
