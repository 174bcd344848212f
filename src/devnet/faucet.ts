/**
 * The faucet: pays devnet coins from the genesis coinbase to any P2PKH address, and mines the
 * payment at once in a block of its own (just it and its unconfirmed faucet ancestors), so the
 * answer carries a BEEF whose merkle path verifies against the headers.
 */
import { LockingScript, P2PKH, type PrivateKey, Transaction } from '@bsv/sdk'
import { PaylinkError } from '../core/errors.ts'
import { Mutex } from '../core/mutex.ts'
import type { Ledger } from './ledger.ts'
import type { Policy } from './params.ts'

/** The faucet's answer (`POST /devnet/faucet`). */
export interface FaucetPayment {
  txid: string
  vout: number
  satoshis: number
  rawTx: string
  beef: string
}

// Sizes of a signed P2PKH input and output, for the fee estimate.
const INPUT_BYTES = 148
const OUTPUT_BYTES = 34
const OVERHEAD_BYTES = 10

export class Faucet {
  readonly #ledger: Ledger
  readonly #key: PrivateKey
  readonly #policy: Policy
  readonly #script: LockingScript
  readonly #mutex = new Mutex()

  constructor(ledger: Ledger, key: PrivateKey, policy: Policy) {
    this.#ledger = ledger
    this.#key = key
    this.#policy = policy
    this.#script = new P2PKH().lock(key.toAddress())
  }

  /** The faucet's locking script (genesis coins are paid to it). */
  get lockingScript(): LockingScript {
    return this.#script
  }

  /** What the faucet can still give. */
  balance(): number {
    return this.#ledger.coinsFor(this.#script.toHex()).reduce((n, c) => n + c.satoshis, 0)
  }

  /** Pays `satoshis` to `lockingScript`; one payment at a time. */
  pay(lockingScript: LockingScript, satoshis: number): Promise<FaucetPayment> {
    return this.#mutex.run(() => this.#pay(lockingScript, satoshis))
  }

  async #pay(lockingScript: LockingScript, satoshis: number): Promise<FaucetPayment> {
    if (satoshis < this.#policy.dustLimit) {
      throw new PaylinkError('PL7004', `satoshis must be at least ${this.#policy.dustLimit}`)
    }
    const tx = await this.#build(lockingScript, satoshis)
    const result = await this.#ledger.accept(tx)
    if (result.kind === 'rejected') {
      throw new PaylinkError('PL9001', `faucet transaction refused: ${result.status} ${result.detail}`)
    }
    await this.#ledger.mine(1, result.txid)
    const path = await this.#ledger.merklePath(result.txid)
    if (path === undefined) throw new PaylinkError('PL9001', 'faucet transaction was not mined')
    tx.merklePath = path
    return { txid: result.txid, vout: 0, satoshis, rawTx: tx.toHex(), beef: tx.toHexBEEF() }
  }

  async #build(lockingScript: LockingScript, satoshis: number): Promise<Transaction> {
    const tx = new Transaction()
    const rate = this.#policy.fee
    let total = 0
    let fee = 0
    const coins = this.#ledger
      .coinsFor(this.#script.toHex())
      .filter((c) => this.#ledger.isMature(c))
      .sort((a, b) => b.satoshis - a.satoshis)
    for (const coin of coins) {
      tx.addInput({
        sourceTXID: coin.txid,
        sourceOutputIndex: coin.vout,
        unlockingScriptTemplate: new P2PKH().unlock(
          this.#key,
          'all',
          false,
          coin.satoshis,
          LockingScript.fromHex(coin.script),
        ),
      })
      total += coin.satoshis
      const size = OVERHEAD_BYTES + tx.inputs.length * INPUT_BYTES + 2 * OUTPUT_BYTES
      fee = Math.ceil((size * rate.satoshis) / rate.bytes)
      if (total >= satoshis + fee) break
    }
    if (total < satoshis + fee) {
      throw new PaylinkError('PL7003', `the faucet holds ${total} satoshis; ${satoshis + fee} needed`)
    }
    tx.addOutput({ satoshis, lockingScript })
    const change = total - satoshis - fee
    if (change >= this.#policy.dustLimit) tx.addOutput({ satoshis: change, lockingScript: this.#script })
    await tx.sign()
    return tx
  }
}
