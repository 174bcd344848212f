/**
 * Customers' coins for the merchant benchmarks: each a small mined transaction (1 input, 1 output)
 * paying a fresh customer key, with its merkle path, as a wallet holds a coin it was paid. A
 * Payment spending one carries what a real one carries: that parent, its BUMP and the payment.
 * Funded from the devnet faucet through one split transaction; all parents mined in one block.
 */
import { type LockingScript, Transaction } from '@bsv/sdk'
import type { Devnet } from '../src/devnet/index.ts'
import { NativeKey } from './native-signer.ts'

/** A mined P2PKH output of `satoshis` to `key`: output 0 of `source`, which carries its merkle path. */
export interface CustomerCoin {
  key: NativeKey
  source: Transaction
  satoshis: number
}

/** Satoshis each parent pays for itself; far above the devnet's 1 sat/kB. */
const PARENT_FEE = 10

/** Parents per block: blocks of about 300 transactions, so a full block's BUMPs are 9 levels deep. */
export const PER_BLOCK = 300

/** `count` coins of `satoshis` each, to `count` distinct keys, mined. */
export async function fundCoins(devnet: Devnet, count: number, satoshis: number): Promise<CustomerCoin[]> {
  const funder = NativeKey.random()
  const split = await fundSplit(devnet, funder, { count, satoshis: satoshis + PARENT_FEE })
  const splitTxid = split.id('hex')
  const coins: CustomerCoin[] = []
  for (let vout = 0; vout < count; vout++) {
    const key = NativeKey.random()
    const parent = new Transaction()
    parent.addInput({ sourceTXID: splitTxid, sourceOutputIndex: vout, sequence: 0xffffffff })
    parent.addOutput({ satoshis, lockingScript: key.lock })
    const spent = { satoshis: satoshis + PARENT_FEE, lockingScript: funder.lock }
    parent.inputs[0]!.unlockingScript = funder.unlock(parent, 0, spent)
    await accept(devnet, parent)
    coins.push({ key, source: parent, satoshis })
    if (coins.length % PER_BLOCK === 0 || coins.length === count) await devnet.ledger.mine(1)
  }
  for (const coin of coins) {
    const path = await devnet.ledger.merklePath(coin.source.id('hex'))
    if (path === undefined) throw new Error('a customer coin was not mined')
    coin.source.merklePath = path
  }
  return coins
}

/** A faucet payment to `funder`, split into `count` outputs of `satoshis` (unconfirmed). */
async function fundSplit(
  devnet: Devnet,
  funder: NativeKey,
  o: { count: number; satoshis: number },
): Promise<Transaction> {
  const fee = Math.ceil(((200 + o.count * 34) * devnet.policy.fee.satoshis) / devnet.policy.fee.bytes) + 1
  const paid = await devnet.faucet.pay(funder.lock, o.count * o.satoshis + fee)
  const split = new Transaction()
  split.addInput({ sourceTXID: paid.txid, sourceOutputIndex: paid.vout, sequence: 0xffffffff })
  for (let i = 0; i < o.count; i++) split.addOutput({ satoshis: o.satoshis, lockingScript: funder.lock })
  split.inputs[0]!.unlockingScript = funder.unlock(split, 0, {
    satoshis: paid.satoshis,
    lockingScript: funder.lock,
  })
  await accept(devnet, split)
  return split
}

async function accept(devnet: Devnet, tx: Transaction): Promise<void> {
  // As the devnet receives it: parsed from its bytes.
  const result = await devnet.ledger.accept(Transaction.fromHex(tx.toHex()))
  if (result.kind === 'rejected') throw new Error(`funding refused: ${result.status} ${result.detail}`)
}

/**
 * A signed 1-input payment of `amount` to `payTo` from `coin`, change back to the coin's key, and
 * `fee` left to the miner.
 */
export function payFrom(
  coin: CustomerCoin,
  payTo: LockingScript,
  o: { amount: number; fee: number },
): Transaction {
  const tx = new Transaction()
  tx.addInput({ sourceTransaction: coin.source, sourceOutputIndex: 0, sequence: 0xffffffff })
  tx.addOutput({ satoshis: o.amount, lockingScript: payTo })
  const change = coin.satoshis - o.amount - o.fee
  if (change > 0) tx.addOutput({ satoshis: change, lockingScript: coin.key.lock })
  tx.inputs[0]!.unlockingScript = coin.key.unlock(tx, 0, {
    satoshis: coin.satoshis,
    lockingScript: coin.key.lock,
  })
  return tx
}
