/**
 * A native fast path for the commonest input: a P2PKH spend (`OP_DUP OP_HASH160 <20> OP_EQUALVERIFY
 * OP_CHECKSIG` unlocked by `<sig+hashtype> <pubkey>`), decided with `node:crypto` (OpenSSL)
 * instead of `@bsv/sdk`'s pure-JS interpreter and ECDSA (DESIGN.md target P2).
 *
 * Safety rule: it may only ever answer `true` (valid) when the interpreter would also accept the
 * input. It answers `undefined` whenever it is not certain — another script shape, any encoding
 * doubt, OpenSSL saying "invalid" — and the caller runs the interpreter, so every refusal comes
 * from the interpreter. To that end it is stricter than the interpreter under any of its flag
 * sets: minimal pushes only, strict DER (BIP66) with low S (BIP62/BIP146), a defined sighash type
 * with SIGHASH_FORKID and without the Chronicle bit (so the preimage is the FORKID/BIP143 one), a
 * SEC-encoded public key with coordinates below the field prime, and HASH160(pubkey) equal to
 * the key hash. The sighash preimage is `forkid-sighash.ts`; OpenSSL verifies
 * sha256(sha256(preimage)) — the sighash — against the key.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto'
import type { LockingScript, Transaction, UnlockingScript } from '@bsv/sdk'
import { ForkIdSighash, SIGHASH, sha256 } from './forkid-sighash.ts'
import type { SourceOutput } from './script-verify.ts'

const OP_DUP = 0x76
const OP_HASH160 = 0xa9
const OP_EQUALVERIFY = 0x88
const OP_CHECKSIG = 0xac

/** The FORKID sighash types the interpreter accepts before Chronicle: ALL, NONE, SINGLE, ± ANYONECANPAY. */
const FAST_SCOPES: ReadonlySet<number> = new Set(
  [SIGHASH.ALL, SIGHASH.NONE, SIGHASH.SINGLE].flatMap((base) => [
    base | SIGHASH.FORKID,
    base | SIGHASH.FORKID | SIGHASH.ANYONECANPAY,
  ]),
)

/** secp256k1's group order halved (the low-S bound) and field prime. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n
const FIELD_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn

/** SubjectPublicKeyInfo (RFC 5480) prefixes for a secp256k1 key, compressed and uncompressed. */
const SPKI_COMPRESSED = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex')
const SPKI_UNCOMPRESSED = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex')

/** The P2PKH inputs of one transaction, decided natively where certain. */
export class P2pkhFastPath {
  readonly #sighash: ForkIdSighash
  readonly #tx: Transaction

  constructor(tx: Transaction) {
    this.#tx = tx
    this.#sighash = new ForkIdSighash(tx)
  }

  /** `true` when input `inputIndex` is certainly valid; `undefined` when the interpreter must decide. */
  verify(inputIndex: number, source: SourceOutput): true | undefined {
    try {
      return this.#decide(inputIndex, source)
    } catch {
      // Whatever the SDK objects throw on here, the interpreter meets too and reports.
      return undefined
    }
  }

  #decide(inputIndex: number, source: SourceOutput): true | undefined {
    const keyHash = p2pkhKeyHash(source.lockingScript)
    const unlock = this.#tx.inputs[inputIndex]?.unlockingScript
    const pushes = unlock === undefined ? undefined : sigAndKey(unlock)
    if (keyHash === undefined || pushes === undefined) return undefined
    const { sig, pubkey } = pushes
    // findAndDelete: the interpreter removes the signature's push from the subscript; only a
    // 20-byte "signature" equal to the key hash could match, and that is left to it.
    if (sig.length === keyHash.length && Buffer.compare(sig, keyHash) === 0) return undefined
    const scope = sig[sig.length - 1]!
    const der = sig.subarray(0, -1)
    if (!FAST_SCOPES.has(scope) || !isStrictLowSDer(der) || !isSecKey(pubkey)) return undefined
    if (!hash160(pubkey).equals(keyHash)) return undefined
    const scriptCode = p2pkhScript(keyHash)
    const preimage = this.#sighash.preimage(inputIndex, scope, scriptCode, source.satoshis)
    if (preimage === undefined) return undefined
    return opensslVerify(sha256(preimage), der, pubkey) ? true : undefined
  }
}

/** The 20-byte key hash when the script's chunks are exactly P2PKH, else undefined. */
function p2pkhKeyHash(script: LockingScript): Buffer | undefined {
  const c = script.chunks
  if (c.length !== 5) return undefined
  const [dup, hash160Op, push, equalVerify, checksig] = c
  const bare = (chunk: typeof dup, op: number) => chunk?.op === op && chunk.data === undefined
  if (!bare(dup, OP_DUP) || !bare(hash160Op, OP_HASH160)) return undefined
  if (!bare(equalVerify, OP_EQUALVERIFY) || !bare(checksig, OP_CHECKSIG)) return undefined
  const data = push?.data
  if (push?.op !== 20 || data?.length !== 20 || push.invalidLength === true) return undefined
  return Buffer.from(data)
}

/** The two pushes of `<sig+hashtype> <pubkey>`, each a direct minimal push, else undefined. */
function sigAndKey(script: UnlockingScript): { sig: Buffer; pubkey: Buffer } | undefined {
  const c = script.chunks
  if (c.length !== 2) return undefined
  const [sig, pubkey] = c
  // Lengths 9..73 and 33/65 are all pushed minimally by their own length opcode (1..75).
  const direct = (chunk: typeof sig) =>
    chunk?.data !== undefined && chunk.op === chunk.data.length && chunk.invalidLength !== true
  if (!direct(sig) || !direct(pubkey)) return undefined
  return { sig: Buffer.from(sig!.data!), pubkey: Buffer.from(pubkey!.data!) }
}

/** `OP_DUP OP_HASH160 <keyHash> OP_EQUALVERIFY OP_CHECKSIG`: the subscript the interpreter signs. */
function p2pkhScript(keyHash: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([OP_DUP, OP_HASH160, 20]),
    keyHash,
    Buffer.from([OP_EQUALVERIFY, OP_CHECKSIG]),
  ])
}

function hash160(bytes: Uint8Array): Buffer {
  return createHash('ripemd160').update(sha256(bytes)).digest()
}

/**
 * BIP66 `IsValidSignatureEncoding` on the DER part (without the hashtype byte), plus: R and S of
 * at most 33 bytes, neither zero, and S ≤ n/2 (`IsLowDERSignature`).
 */
export function isStrictLowSDer(der: Uint8Array): boolean {
  const size = der.length
  if (size < 8 || size > 72 || der[0] !== 0x30 || der[1] !== size - 2) return false
  const lenR = der[3]!
  if (der[2] !== 0x02 || lenR === 0 || lenR > 33 || 5 + lenR >= size) return false
  const lenS = der[5 + lenR]!
  if (der[4 + lenR] !== 0x02 || lenS === 0 || lenS > 33 || lenR + lenS + 6 !== size) return false
  const r = der.subarray(4, 4 + lenR)
  const s = der.subarray(6 + lenR)
  if (!isCanonicalPositive(r) || !isCanonicalPositive(s)) return false
  const sValue = BigInt(`0x${Buffer.from(s).toString('hex')}`)
  return sValue > 0n && sValue <= HALF_N && BigInt(`0x${Buffer.from(r).toString('hex')}`) > 0n
}

/** A DER INTEGER body: not negative, no superfluous leading zero. */
function isCanonicalPositive(v: Uint8Array): boolean {
  if ((v[0]! & 0x80) !== 0) return false
  return !(v.length > 1 && v[0] === 0x00 && (v[1]! & 0x80) === 0)
}

/** A compressed (02/03 ‖ x) or uncompressed (04 ‖ x ‖ y) SEC key with coordinates below p. */
export function isSecKey(key: Uint8Array): boolean {
  const below = (from: number) =>
    BigInt(`0x${Buffer.from(key.subarray(from, from + 32)).toString('hex')}`) < FIELD_P
  if (key.length === 33 && (key[0] === 0x02 || key[0] === 0x03)) return below(1)
  return key.length === 65 && key[0] === 0x04 && below(1) && below(33)
}

/** OpenSSL's verdict on `der` over sha256(`data`); false also when OpenSSL refuses the key. */
function opensslVerify(data: Buffer, der: Uint8Array, pubkey: Buffer): boolean {
  const key = publicKeyObject(pubkey)
  if (key === undefined) return false
  try {
    return verify('sha256', data, key, der)
  } catch {
    return false
  }
}

/**
 * Imported keys, most recently used last. OpenSSL's import (decoding, point decompression,
 * checks) costs about half a verification, so a key seen again — a re-sent payment, the devnet
 * checking what the merchant checked, a reused address — is not imported twice.
 */
export const KEY_CACHE_SIZE = 256
const keyCache = new Map<string, KeyObject>()

function publicKeyObject(pubkey: Buffer): KeyObject | undefined {
  const id = pubkey.toString('hex')
  const cached = keyCache.get(id)
  if (cached !== undefined) {
    keyCache.delete(id)
    keyCache.set(id, cached)
    return cached
  }
  let key: KeyObject
  try {
    const prefix = pubkey.length === 33 ? SPKI_COMPRESSED : SPKI_UNCOMPRESSED
    key = createPublicKey({ key: Buffer.concat([prefix, pubkey]), format: 'der', type: 'spki' })
  } catch {
    return undefined
  }
  keyCache.set(id, key)
  if (keyCache.size > KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string)
  return key
}
