import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../core/bytes.ts'
import {
  type BlockHeader,
  bitsToTarget,
  headerHash,
  meetsTarget,
  parseHeader,
  serializeHeader,
} from './block-header.ts'

// Bitcoin block 0 (the genesis block), as every explorer shows it.
const GENESIS: BlockHeader = {
  version: 1,
  prevHash: '0'.repeat(64),
  merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
  time: 1231006505,
  bits: 0x1d00ffff,
  nonce: 2083236893,
}
const GENESIS_HASH = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'
const GENESIS_HEX =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f6' +
  '17fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c'

// Bitcoin block 100000.
const BLOCK_100000: BlockHeader = {
  version: 1,
  prevHash: '000000000002d01c1fccc21636b607dfd930d31d01c3a62104612a1719011250',
  merkleRoot: 'f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766',
  time: 1293623863,
  bits: 0x1b04864c,
  nonce: 274148111,
}
const BLOCK_100000_HASH = '000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506'

describe('block header', () => {
  it('serializes the genesis header to its known 80 bytes', () => {
    expect(bytesToHex(serializeHeader(GENESIS))).toBe(GENESIS_HEX)
  })

  it('parses the genesis header back', () => {
    expect(parseHeader(hexToBytes(GENESIS_HEX))).toEqual(GENESIS)
  })

  it('hashes the genesis header to the genesis block hash, from fields or bytes', () => {
    expect(headerHash(GENESIS)).toBe(GENESIS_HASH)
    expect(headerHash(hexToBytes(GENESIS_HEX))).toBe(GENESIS_HASH)
  })

  it('hashes block 100000 to its known hash', () => {
    expect(headerHash(BLOCK_100000)).toBe(BLOCK_100000_HASH)
    expect(parseHeader(serializeHeader(BLOCK_100000))).toEqual(BLOCK_100000)
  })

  it('refuses a header of the wrong length', () => {
    expect(() => parseHeader(new Uint8Array(79))).toThrow(TypeError)
    expect(() => headerHash(new Uint8Array(81))).toThrow(TypeError)
  })

  it('refuses a hash field that is not 32 bytes', () => {
    expect(() => serializeHeader({ ...GENESIS, prevHash: '00' })).toThrow(TypeError)
  })
})

describe('proof of work', () => {
  it('expands 0x1d00ffff to the difficulty-1 target', () => {
    expect(bitsToTarget(0x1d00ffff)).toBe(0xffffn << 208n)
  })

  it('expands small exponents by shifting right', () => {
    expect(bitsToTarget(0x03123456)).toBe(0x123456n)
    expect(bitsToTarget(0x02123456)).toBe(0x1234n)
    expect(bitsToTarget(0x01123456)).toBe(0x12n)
  })

  it('treats a negative compact target as no target', () => {
    expect(bitsToTarget(0x04923456)).toBe(0n)
    expect(meetsTarget('0'.repeat(64), 0x04923456)).toBe(false)
  })

  it('accepts the genesis and block 100000 hashes under their bits', () => {
    expect(meetsTarget(GENESIS_HASH, GENESIS.bits)).toBe(true)
    expect(meetsTarget(BLOCK_100000_HASH, BLOCK_100000.bits)).toBe(true)
  })

  it('refuses a hash just above the target and accepts one equal to it', () => {
    const target = bitsToTarget(0x1d00ffff)
    const hex = (n: bigint) => n.toString(16).padStart(64, '0')
    expect(meetsTarget(hex(target), 0x1d00ffff)).toBe(true)
    expect(meetsTarget(hex(target + 1n), 0x1d00ffff)).toBe(false)
  })

  it('refuses the genesis hash under a harder target', () => {
    expect(meetsTarget(GENESIS_HASH, BLOCK_100000.bits)).toBe(false)
  })

  it('refuses an overflowing target', () => {
    expect(meetsTarget('0'.repeat(64), 0x23000001)).toBe(false)
  })
})
