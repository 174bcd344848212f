/**
 * The block chain as the devnet serves it: every header in memory by height and hash (80 bytes
 * each), block contents (txids) read from the store when a merkle path is asked for.
 */
import type { MerklePath } from '@bsv/sdk'
import type { Kysely } from 'kysely'
import { type BlockHeader, blockWork, parseHeader } from '../chain/block-header.ts'
import { merklePathFor } from '../chain/merkle-tree.ts'
import { hexToBytes } from '../core/bytes.ts'
import type { Database, Tx } from '../store/index.ts'
import type { BuiltBlock } from './block-builder.ts'

export interface ChainTip {
  height: number
  /** Total work of the chain up to and including this block. */
  chainWork: bigint
  hash: string
  header: BlockHeader
  headerHex: string
}

export class ChainIndex {
  readonly #byHeight: ChainTip[] = []
  readonly #byHash = new Map<string, ChainTip>()
  /** Txids of recently used blocks, for merkle paths. */
  readonly #txids = new Map<number, string[]>()

  static async load(db: Kysely<Database>): Promise<ChainIndex> {
    const index = new ChainIndex()
    const rows = await db
      .selectFrom('devnet_blocks')
      .select(['height', 'hash', 'header'])
      .orderBy('height')
      .execute()
    for (const r of rows)
      index.#add({
        height: r.height,
        hash: r.hash,
        header: parseHeader(hexToBytes(r.header)),
        headerHex: r.header,
      })
    return index
  }

  #add(block: Omit<ChainTip, 'chainWork'>): void {
    const before = this.#byHeight[block.height - 1]?.chainWork ?? 0n
    const tip = { ...block, chainWork: before + blockWork(block.header.bits) }
    this.#byHeight[tip.height] = tip
    this.#byHash.set(tip.hash, tip)
  }

  /** Height of the best block; −1 before genesis. */
  get height(): number {
    return this.#byHeight.length - 1
  }

  get tip(): ChainTip {
    const tip = this.#byHeight.at(-1)
    if (tip === undefined) throw new Error('chain has no genesis block')
    return tip
  }

  at(height: number): ChainTip | undefined {
    return this.#byHeight[height]
  }

  byHash(hash: string): ChainTip | undefined {
    return this.#byHash.get(hash.toLowerCase())
  }

  /** Writes a block inside the caller's store transaction. */
  async insert(db: Tx, height: number, block: BuiltBlock): Promise<void> {
    await db
      .insertInto('devnet_blocks')
      .values({
        height,
        hash: block.hash,
        header: block.headerHex,
        tx_count: block.txids.length,
        txids: JSON.stringify(block.txids),
      })
      .execute()
  }

  /** Adds a committed block to memory. */
  append(height: number, block: BuiltBlock): void {
    this.#add({ height, hash: block.hash, header: block.header, headerHex: block.headerHex })
    this.#remember(height, block.txids)
  }

  /** The BUMP of the transaction at `index` of the block at `height`. */
  async merklePath(db: Kysely<Database>, height: number, index: number): Promise<MerklePath> {
    let txids = this.#txids.get(height)
    if (txids === undefined) {
      const row = await db
        .selectFrom('devnet_blocks')
        .select('txids')
        .where('height', '=', height)
        .executeTakeFirstOrThrow()
      txids = JSON.parse(row.txids) as string[]
      this.#remember(height, txids)
    }
    return this.pathFrom(txids, height, index)
  }

  /** The BUMP of `txids[index]` in a block at `height`. */
  pathFrom(txids: readonly string[], height: number, index: number): MerklePath {
    return merklePathFor(txids, height, index)
  }

  #remember(height: number, txids: string[]): void {
    this.#txids.set(height, txids)
    if (this.#txids.size > 64) this.#txids.delete(this.#txids.keys().next().value as number)
  }
}
