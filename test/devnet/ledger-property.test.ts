/**
 * Model-based property test of the devnet ledger (issue 2, "What it must show": random chains of
 * spends, mining and restarts keep the ledger consistent). Random sequences of faucet payments,
 * spends of confirmed and unconfirmed coins, double spends, mining and restarts run against a
 * devnet opened directly on a SQLite store. After every command the ledger conserves value
 * (issued = unspent + mempool fees, in memory and in the store), no outpoint is spent by two
 * stored transactions, the mempool in memory matches the store, and the ledger agrees with a model
 * of what it took and refused.
 */
import { copyFileSync } from 'node:fs'
import { LockingScript, P2PKH, PrivateKey, Transaction } from '@bsv/sdk'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { Devnet } from '../../src/devnet/index.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { tempDb } from '../support/devnet.ts'

interface Owner {
  key: PrivateKey
  script: string
}

interface ModelCoin extends Owner {
  /** The transaction holding the coin. */
  source: Transaction
  txid: string
  vout: number
  satoshis: number
  spentBy: string | null
}

interface Model {
  coins: ModelCoin[]
  /** Every transaction the ledger took, and whether it should be mined by now. */
  txs: Map<string, 'mempool' | 'mined'>
  /** Transactions the ledger refused: it must not know them. */
  refused: string[]
  height: number
}

interface Real {
  file: string
  store: Store
  devnet: Devnet
}

type LedgerCommand = fc.AsyncCommand<Model, Real>

const NO_OUTPOINT = '0'.repeat(64)

function freshOwner(): Owner {
  const key = PrivateKey.fromRandom()
  return { key, script: new P2PKH().lock(key.toAddress()).toHex() }
}

const unspent = (m: Readonly<Model>): ModelCoin[] => m.coins.filter((c) => c.spentBy === null)
const spent = (m: Readonly<Model>): ModelCoin[] => m.coins.filter((c) => c.spentBy !== null)

/**
 * A signed transaction spending `coin` to a fresh owner per amount. Its input names the coin by
 * txid, or (`bySource`) by its source transaction only, as `@bsv/sdk` builders usually do.
 */
async function spendCoin(
  coin: ModelCoin,
  amounts: number[],
  bySource = false,
): Promise<{ tx: Transaction; outputs: ModelCoin[] }> {
  const tx = new Transaction()
  const lock = LockingScript.fromHex(coin.script)
  tx.addInput(
    bySource
      ? {
          sourceTransaction: coin.source,
          sourceOutputIndex: coin.vout,
          unlockingScriptTemplate: new P2PKH().unlock(coin.key),
        }
      : {
          sourceTXID: coin.txid,
          sourceOutputIndex: coin.vout,
          unlockingScriptTemplate: new P2PKH().unlock(coin.key, 'all', false, coin.satoshis, lock),
        },
  )
  const owners = amounts.map(() => freshOwner())
  for (const [i, owner] of owners.entries()) {
    tx.addOutput({ satoshis: amounts[i]!, lockingScript: LockingScript.fromHex(owner.script) })
  }
  await tx.sign()
  const txid = tx.id('hex')
  const outputs = owners.map((o, vout) => ({
    ...o,
    source: tx,
    txid,
    vout,
    satoshis: amounts[vout]!,
    spentBy: null,
  }))
  return { tx, outputs }
}

/** Splits `total` into one amount per weight, each at least 1 satoshi. */
function split(total: number, weights: number[]): number[] {
  const rest = total - weights.length
  const sum = weights.reduce((n, w) => n + w, 0)
  const amounts = weights.map((w) => 1 + Math.floor((rest * w) / sum))
  amounts[amounts.length - 1]! += total - amounts.reduce((n, a) => n + a, 0)
  return amounts
}

class Fund implements LedgerCommand {
  constructor(readonly satoshis: number) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const owner = freshOwner()
    const paid = await r.devnet.faucet.pay(LockingScript.fromHex(owner.script), this.satoshis)
    // The faucet mines its payment at once, in a block of its own.
    m.height += 1
    m.txs.set(paid.txid, 'mined')
    const source = Transaction.fromHex(paid.rawTx)
    m.coins.push({
      ...owner,
      source,
      txid: paid.txid,
      vout: paid.vout,
      satoshis: this.satoshis,
      spentBy: null,
    })
    await checkInvariants(m, r)
  }
  toString = () => `fund(${this.satoshis})`
}

class Spend implements LedgerCommand {
  constructor(
    readonly pick: number,
    readonly weights: number[],
    readonly fee: number,
    readonly bySource: boolean,
  ) {}
  #spendable = (m: Readonly<Model>) => unspent(m).filter((c) => c.satoshis >= this.fee + this.weights.length)
  check = (m: Readonly<Model>) => this.#spendable(m).length > 0
  async run(m: Model, r: Real): Promise<void> {
    const candidates = this.#spendable(m)
    const coin = candidates[this.pick % candidates.length]!
    const { tx, outputs } = await spendCoin(
      coin,
      split(coin.satoshis - this.fee, this.weights),
      this.bySource,
    )
    const result = await r.devnet.ledger.accept(tx)
    expect(result).toEqual({ kind: 'accepted', txid: tx.id('hex'), fresh: true })
    coin.spentBy = tx.id('hex')
    m.txs.set(tx.id('hex'), 'mempool')
    m.coins.push(...outputs)
    await checkInvariants(m, r)
  }
  toString = () =>
    `spend(${this.pick}, [${this.weights}], fee ${this.fee}${this.bySource ? ', by source' : ''})`
}

class DoubleSpend implements LedgerCommand {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => spent(m).length > 0
  async run(m: Model, r: Real): Promise<void> {
    const candidates = spent(m)
    const coin = candidates[this.pick % candidates.length]!
    const before = r.devnet.ledger.audit()
    const { tx } = await spendCoin(coin, [coin.satoshis - 50])
    const result = await r.devnet.ledger.accept(tx)
    // A coin spent by a mempool transaction is a conflict (466); one spent in a block is gone (462).
    const spender = coin.spentBy!
    if (m.txs.get(spender) === 'mempool') {
      expect(result).toMatchObject({ kind: 'rejected', status: 466, competingTxs: [spender] })
    } else {
      expect(result).toMatchObject({ kind: 'rejected', status: 462 })
    }
    expect(r.devnet.ledger.audit()).toEqual(before)
    m.refused.push(tx.id('hex'))
    await checkInvariants(m, r)
  }
  toString = () => `doubleSpend(${this.pick})`
}

class Mine implements LedgerCommand {
  constructor(readonly blocks: number) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    await r.devnet.ledger.mine(this.blocks)
    m.height += this.blocks
    if (this.blocks > 0) for (const txid of m.txs.keys()) m.txs.set(txid, 'mined')
    await checkInvariants(m, r)
  }
  toString = () => `mine(${this.blocks})`
}

class Restart implements LedgerCommand {
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const tip = r.devnet.ledger.tip.hash
    const mempool = r.devnet.ledger.mempoolSize
    await close(r)
    Object.assign(r, await open(r.file))
    expect(r.devnet.ledger.tip.hash).toBe(tip)
    expect(r.devnet.ledger.mempoolSize).toBe(mempool)
    await checkInvariants(m, r)
  }
  toString = () => 'restart'
}

async function open(file: string): Promise<Real> {
  const store = await openStore(file)
  return { file, store, devnet: await Devnet.open({ store }) }
}

async function close(r: Real): Promise<void> {
  await r.devnet.close()
  await r.store.close()
}

/** The invariants that hold after every command, checked in memory, in the store and against the model. */
async function checkInvariants(m: Model, r: Real): Promise<void> {
  const ledger = r.devnet.ledger
  const audit = ledger.audit()
  expect(audit.unspent + audit.mempoolFees).toBe(audit.issued)
  expect(ledger.tip.height).toBe(m.height)

  const txs = await r.store.db
    .selectFrom('devnet_txs')
    .select(['txid', 'raw', 'fee', 'block_height'])
    .execute()
  const outputs = await r.store.db.selectFrom('devnet_outputs').selectAll().execute()
  const spenders = new Map<string, string>()
  for (const row of txs) {
    for (const input of Transaction.fromHex(row.raw).inputs) {
      if (input.sourceTXID === NO_OUTPOINT) continue
      const outpoint = `${input.sourceTXID}:${input.sourceOutputIndex}`
      expect(spenders.get(outpoint), `${outpoint} is spent twice`).toBeUndefined()
      spenders.set(outpoint, row.txid)
    }
  }
  const spentOutputs = outputs.filter((o) => o.spent_by !== null)
  expect(spentOutputs.length).toBe(spenders.size)
  for (const o of spentOutputs) expect(spenders.get(`${o.txid}:${o.vout}`)).toBe(o.spent_by)

  const mempool = txs.filter((t) => t.block_height === null)
  expect(mempool.length).toBe(ledger.mempoolSize)
  const storedUnspent = outputs.filter((o) => o.spent_by === null).reduce((n, o) => n + o.satoshis, 0)
  const storedFees = mempool.reduce((n, t) => n + t.fee, 0)
  expect(storedUnspent + storedFees).toBe(audit.issued)

  const stored = new Map(txs.map((t) => [t.txid, t.block_height === null ? 'mempool' : 'mined']))
  for (const [txid, where] of m.txs) expect(stored.get(txid), txid).toBe(where)
  for (const txid of m.refused) expect(stored.has(txid), txid).toBe(false)
  for (const coin of unspent(m)) {
    const held = ledger.coinsFor(coin.script).map((c) => `${c.txid}:${c.vout}`)
    expect(held).toEqual([`${coin.txid}:${coin.vout}`])
  }
}

const weights = fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 3 })
const spend = fc
  .tuple(fc.nat(), weights, fc.integer({ min: 50, max: 300 }), fc.boolean())
  .map(([pick, w, fee, bySource]) => new Spend(pick, w, fee, bySource))

// Spends are listed twice so that runs build chains of unconfirmed transactions.
const commands = fc.commands(
  [
    fc.integer({ min: 1_000, max: 100_000 }).map((s) => new Fund(s)),
    spend,
    spend,
    fc.nat().map((pick) => new DoubleSpend(pick)),
    fc.integer({ min: 0, max: 2 }).map((n) => new Mine(n)),
    fc.constant(new Restart()),
  ],
  { maxCommands: 30, size: 'max' },
)

// Genesis mines a hundred blocks (coinbase maturity); every run starts from a copy of one.
let template: string

beforeAll(async () => {
  template = tempDb('template')
  await close(await open(template))
})

describe('ledger under random spends, mining and restarts', () => {
  it('conserves value, spends every coin at most once and keeps memory, store and model in step', async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const file = tempDb('ledger')
        copyFileSync(template, file)
        const real = await open(file)
        const model: Model = { coins: [], txs: new Map(), refused: [], height: real.devnet.ledger.tip.height }
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds)
        } finally {
          await close(real)
        }
      }),
      { numRuns: 20 },
    )
  }, 60_000)
})
