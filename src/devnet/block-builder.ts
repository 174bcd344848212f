/**
 * Builds blocks: a coinbase (BIP34 height, a random extra nonce so every coinbase txid is
 * unique), the merkle root over the block's txids, and an 80-byte header whose hash meets the
 * compact target (regtest's target: about two tries).
 */
import { LockingScript, Transaction, UnlockingScript } from '@bsv/sdk'
import { type BlockHeader, headerHash, meetsTarget, serializeHeader } from '../chain/block-header.ts'
import { merkleRoot } from '../chain/merkle-tree.ts'
import { bytesToHex } from '../core/bytes.ts'
import { randomBytes } from '../core/ids.ts'

/** Version of the blocks we mine (BIP9 top bits). */
const BLOCK_VERSION = 0x20000000

export interface BuiltBlock {
  hash: string
  header: BlockHeader
  headerHex: string
  /** The block's txids in order; the coinbase first. */
  txids: string[]
}

/** A coinbase paying `satoshis` to `script` at `height`. */
export function buildCoinbase(height: number, satoshis: number, script: LockingScript): Transaction {
  const unlocking = new UnlockingScript().writeNumber(height).writeBin(Array.from(randomBytes(8)))
  return new Transaction(
    1,
    [
      {
        sourceTXID: '0'.repeat(64),
        sourceOutputIndex: 0xffffffff,
        unlockingScript: unlocking,
        sequence: 0xffffffff,
      },
    ],
    [{ satoshis, lockingScript: LockingScript.fromHex(script.toHex()) }],
    0,
  )
}

/** Mines a block on `prev` (none for genesis) holding `coinbase` then `txids`. */
export function buildBlock(args: {
  prev: { hash: string; header: BlockHeader } | undefined
  coinbase: Transaction
  txids: string[]
  bits: number
  /** Unix seconds; raised to one past the previous block's time so times increase. */
  time: number
}): BuiltBlock {
  const txids = [args.coinbase.id('hex'), ...args.txids]
  const header: BlockHeader = {
    version: BLOCK_VERSION,
    prevHash: args.prev?.hash ?? '0'.repeat(64),
    merkleRoot: merkleRoot(txids),
    time: Math.max(args.time, (args.prev?.header.time ?? 0) + 1),
    bits: args.bits,
    nonce: 0,
  }
  let hash = headerHash(header)
  while (!meetsTarget(hash, args.bits)) {
    header.nonce++
    hash = headerHash(header)
  }
  return { hash, header, headerHex: bytesToHex(serializeHeader(header)), txids }
}
