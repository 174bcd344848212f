import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes, utf8ToBytes } from './bytes.ts'
import { hash160, ripemd160, sha256, sha256d } from './hash.ts'

describe('hashes (published test vectors)', () => {
  it('SHA-256 of "abc" (FIPS 180-2)', () => {
    expect(bytesToHex(sha256(utf8ToBytes('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('RIPEMD-160 of "abc" (the RIPEMD-160 paper)', () => {
    expect(bytesToHex(ripemd160(utf8ToBytes('abc')))).toBe('8eb208f7e05d987a9b044a8e98c6b087f15a0bfc')
  })

  it('double SHA-256 of the genesis header is the genesis block hash', () => {
    const header = hexToBytes(
      '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
    )
    expect(bytesToHex(sha256d(header).reverse())).toBe(
      '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    )
  })

  it('HASH160 of a compressed public key is its P2PKH key hash (secp256k1 generator point)', () => {
    const g = hexToBytes('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798')
    expect(bytesToHex(hash160(g))).toBe('751e76e8199196d454941c45d1b3a323f1433bd6')
  })
})
