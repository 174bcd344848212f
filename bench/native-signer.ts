/**
 * Customer keys for preparing benchmark payments, signing with `node:crypto` (OpenSSL): `@bsv/sdk`'s
 * pure-JS ECDSA takes ~5 ms a signature on a small machine, which would make preparing a thousand
 * payments the longest part of the run. The signatures are the ordinary ones a wallet makes: the
 * SDK builds the SIGHASH_ALL|FORKID preimage, OpenSSL signs its hash256, S is made low (BIP62)
 * and the DER is strict.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import {
  Hash,
  type LockingScript,
  P2PKH,
  type Transaction,
  TransactionSignature,
  UnlockingScript,
} from '@bsv/sdk'

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const SCOPE = TransactionSignature.SIGHASH_ALL | TransactionSignature.SIGHASH_FORKID

/** The output an input spends. */
export interface Spent {
  satoshis: number
  lockingScript: LockingScript
}

/** A secp256k1 key held by OpenSSL, with its compressed public key and P2PKH lock. */
export class NativeKey {
  readonly publicKey: number[]
  readonly lock: LockingScript
  readonly #privateKey: KeyObject

  private constructor(privateKey: KeyObject, publicKey: number[]) {
    this.#privateKey = privateKey
    this.publicKey = publicKey
    this.lock = new P2PKH().lock(Hash.hash160(publicKey))
  }

  static random(): NativeKey {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    const jwk = publicKey.export({ format: 'jwk' })
    const x = Buffer.from(jwk.x!, 'base64url')
    const y = Buffer.from(jwk.y!, 'base64url')
    return new NativeKey(privateKey, [(y[31]! & 1) === 1 ? 0x03 : 0x02, ...x])
  }

  /** Signs input `index` of `tx` (which spends `spent`) as the SDK's P2PKH template does. */
  unlock(tx: Transaction, index: number, spent: Spent): UnlockingScript {
    const input = tx.inputs[index]!
    const preimage = TransactionSignature.formatBytes({
      sourceTXID: input.sourceTXID ?? input.sourceTransaction!.id('hex'),
      sourceOutputIndex: input.sourceOutputIndex,
      sourceSatoshis: spent.satoshis,
      transactionVersion: tx.version,
      otherInputs: tx.inputs.filter((_, j) => j !== index),
      outputs: tx.outputs,
      inputIndex: index,
      subscript: spent.lockingScript,
      inputSequence: input.sequence ?? 0xffffffff,
      lockTime: tx.lockTime,
      scope: SCOPE,
    })
    // OpenSSL hashes once more: the signed digest is sha256(sha256(preimage)), the sighash.
    const digest = createHash('sha256').update(preimage).digest()
    const sig = [...lowS(sign('sha256', digest, this.#privateKey)), SCOPE]
    return new UnlockingScript([
      { op: sig.length, data: sig },
      { op: this.publicKey.length, data: this.publicKey },
    ])
  }
}

/** The DER signature with S replaced by n − S when S is high. */
function lowS(der: Buffer): Buffer {
  const lenR = der[3]!
  const r = BigInt(`0x${der.subarray(4, 4 + lenR).toString('hex')}`)
  const s = BigInt(`0x${der.subarray(6 + lenR).toString('hex')}`)
  return s > N >> 1n ? encodeDer(r, N - s) : der
}

function encodeDer(r: bigint, s: bigint): Buffer {
  const int = (v: bigint): Buffer => {
    let hex = v.toString(16)
    if (hex.length % 2 === 1) hex = `0${hex}`
    const bytes = Buffer.from(hex, 'hex')
    const body = (bytes[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes
    return Buffer.concat([Buffer.from([0x02, body.length]), body])
  }
  const body = Buffer.concat([int(r), int(s)])
  return Buffer.concat([Buffer.from([0x30, body.length]), body])
}
