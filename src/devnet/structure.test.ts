import { P2PKH, PrivateKey, Transaction } from '@bsv/sdk'
import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY } from './params.ts'
import { checkStructure } from './structure.ts'

const key = PrivateKey.fromRandom()
const lock = new P2PKH().lock(key.toAddress())

/** A transaction paying `satoshis` to `key` (its inputs are never checked here). */
function source(satoshis: number): Transaction {
  const tx = new Transaction()
  tx.addInput({ sourceTXID: 'ab'.repeat(32), sourceOutputIndex: satoshis, unlockingScript: lock })
  tx.addOutput({ satoshis, lockingScript: lock })
  return tx
}

/** A signed transaction whose inputs name their sources by `sourceTransaction` only, as SDK builders do. */
async function spending(...sources: Transaction[]): Promise<Transaction> {
  const tx = new Transaction()
  for (const sourceTransaction of sources)
    tx.addInput({ sourceTransaction, sourceOutputIndex: 0, unlockingScriptTemplate: new P2PKH().unlock(key) })
  tx.addOutput({ satoshis: 1000, lockingScript: lock })
  await tx.sign()
  return tx
}

describe('checkStructure', () => {
  it('accepts inputs built from different source transactions, though they carry no sourceTXID', async () => {
    const tx = await spending(source(2000), source(3000))
    expect(tx.inputs.map((i) => i.sourceTXID)).toEqual([undefined, undefined])
    expect(checkStructure(tx, tx.id('hex'), DEFAULT_POLICY)).toBeNull()
  })

  it('refuses a transaction spending the same outpoint twice with 463', async () => {
    const from = source(2000)
    const tx = await spending(from, from)
    expect(checkStructure(tx, tx.id('hex'), DEFAULT_POLICY)).toMatchObject({ status: 463 })
  })
})
