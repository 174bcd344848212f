/**
 * The BSV signature hash preimage of an input signed with SIGHASH_FORKID (the BIP143 digest
 * algorithm BSV adopted at the UAHF fork), byte for byte as `@bsv/sdk`'s interpreter builds it
 * for OP_CHECKSIG (`TransactionSignature.formatBip143`), with `node:crypto` hashing. The three
 * shared parts (hashPrevouts, hashSequence, hashOutputs) are computed once per transaction.
 *
 * It refuses (`undefined`) whatever it cannot encode exactly as the SDK does: a txid that is not
 * 64 lowercase hex digits, an input without a txid or source transaction, a count or amount
 * outside its field. The caller then falls back to the interpreter.
 */
import { createHash } from 'node:crypto'
import type { Transaction, TransactionInput } from '@bsv/sdk'

/** SIGHASH base types and flags (the low bits of the signature's last byte). */
export const SIGHASH = {
  ALL: 0x01,
  NONE: 0x02,
  SINGLE: 0x03,
  FORKID: 0x40,
  ANYONECANPAY: 0x80,
} as const

const ZERO_HASH = new Uint8Array(32)
const TXID_HEX = /^[0-9a-f]{64}$/
const MAX_UINT32 = 0xffffffff

export function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest()
}

function hash256(bytes: Uint8Array): Buffer {
  return sha256(sha256(bytes))
}

const isUint32 = (n: number | undefined): n is number =>
  Number.isInteger(n) && (n as number) >= 0 && (n as number) <= MAX_UINT32
const isSatoshis = (n: number | undefined): n is number => Number.isSafeInteger(n) && (n as number) >= 0

function uint32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4)
  b.writeUInt32LE(n)
  return b
}

function uint64(n: number): Buffer {
  const b = Buffer.allocUnsafe(8)
  b.writeBigUInt64LE(BigInt(n))
  return b
}

/** Bitcoin's CompactSize. */
function varInt(n: number): Buffer {
  if (n < 0xfd) return Buffer.from([n])
  if (n <= 0xffff) return Buffer.from([0xfd, n & 0xff, n >>> 8])
  const b = Buffer.allocUnsafe(5)
  b[0] = 0xfe
  b.writeUInt32LE(n, 1)
  return b
}

/** The outpoint's txid in internal byte order, as the SDK reads it, or undefined. */
function prevTxHash(input: TransactionInput): Buffer | undefined {
  if (input.sourceTXID !== undefined) {
    return TXID_HEX.test(input.sourceTXID) ? Buffer.from(input.sourceTXID, 'hex').reverse() : undefined
  }
  const source = input.sourceTransaction
  return source === undefined ? undefined : Buffer.from(source.hash() as number[])
}

/** The preimages of a transaction's FORKID signatures; the shared parts are hashed lazily, once. */
export class ForkIdSighash {
  readonly #tx: Transaction
  #prevouts: Buffer | null | undefined
  #sequences: Buffer | null | undefined
  #outputs: Buffer | null | undefined

  constructor(tx: Transaction) {
    this.#tx = tx
  }

  /**
   * The preimage for input `inputIndex` spending `satoshis` locked by `scriptCode` (the subscript
   * as the interpreter serialises it), under sighash type `scope` (FORKID set); undefined when
   * some field cannot be encoded exactly.
   */
  preimage(inputIndex: number, scope: number, scriptCode: Uint8Array, satoshis: number): Buffer | undefined {
    const tx = this.#tx
    const input = tx.inputs[inputIndex]
    if (input === undefined || (scope & SIGHASH.FORKID) === 0) return undefined
    const sequence = input.sequence ?? MAX_UINT32
    const txHash = prevTxHash(input)
    if (txHash === undefined || !isUint32(input.sourceOutputIndex) || !isUint32(sequence)) return undefined
    if (!isUint32(tx.version) || !isUint32(tx.lockTime) || !isSatoshis(satoshis)) return undefined
    const prevouts = this.#hashPrevouts(scope)
    const sequences = this.#hashSequence(scope)
    const outputs = this.#hashOutputs(scope, inputIndex)
    if (prevouts === undefined || sequences === undefined || outputs === undefined) return undefined
    return Buffer.concat([
      uint32(tx.version),
      prevouts,
      sequences,
      txHash,
      uint32(input.sourceOutputIndex),
      varInt(scriptCode.length),
      scriptCode,
      uint64(satoshis),
      uint32(sequence),
      outputs,
      uint32(tx.lockTime),
      uint32(scope),
    ])
  }

  #hashPrevouts(scope: number): Uint8Array | undefined {
    if ((scope & SIGHASH.ANYONECANPAY) !== 0) return ZERO_HASH
    if (this.#prevouts === undefined) this.#prevouts = this.#computePrevouts()
    return this.#prevouts ?? undefined
  }

  #computePrevouts(): Buffer | null {
    const parts: Buffer[] = []
    for (const input of this.#tx.inputs) {
      const txHash = prevTxHash(input)
      if (txHash === undefined || !isUint32(input.sourceOutputIndex)) return null
      parts.push(txHash, uint32(input.sourceOutputIndex))
    }
    return hash256(Buffer.concat(parts))
  }

  #hashSequence(scope: number): Uint8Array | undefined {
    const base = scope & 0x1f
    if ((scope & SIGHASH.ANYONECANPAY) !== 0 || base === SIGHASH.SINGLE || base === SIGHASH.NONE) {
      return ZERO_HASH
    }
    if (this.#sequences === undefined) {
      const sequences = this.#tx.inputs.map((input) => input.sequence ?? MAX_UINT32)
      this.#sequences = sequences.every(isUint32) ? hash256(Buffer.concat(sequences.map(uint32))) : null
    }
    return this.#sequences ?? undefined
  }

  #hashOutputs(scope: number, inputIndex: number): Uint8Array | undefined {
    const base = scope & 0x1f
    if (base === SIGHASH.NONE) return ZERO_HASH
    if (base === SIGHASH.SINGLE) {
      if (inputIndex >= this.#tx.outputs.length) return ZERO_HASH
      const output = this.#serializeOutput(inputIndex)
      return output === undefined ? undefined : hash256(output)
    }
    if (this.#outputs === undefined) {
      const parts = this.#tx.outputs.map((_, i) => this.#serializeOutput(i))
      this.#outputs = parts.every((p) => p !== undefined) ? hash256(Buffer.concat(parts)) : null
    }
    return this.#outputs ?? undefined
  }

  #serializeOutput(index: number): Buffer | undefined {
    const output = this.#tx.outputs[index]!
    // The SDK's `?? 0` and `?? EMPTY_SCRIPT` defaults are not followed: an output without an
    // amount or script is left to the interpreter.
    if (!isSatoshis(output.satoshis) || output.lockingScript === undefined) return undefined
    const script = output.lockingScript.toUint8Array()
    return Buffer.concat([uint64(output.satoshis), varInt(script.length), script])
  }
}
