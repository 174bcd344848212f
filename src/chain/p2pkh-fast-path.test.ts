import {
  Hash,
  LockingScript,
  P2PKH,
  PrivateKey,
  Spend,
  Transaction,
  TransactionSignature,
  UnlockingScript,
} from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SIGHASH } from './forkid-sighash.ts'
import { isSecKey, isStrictLowSDer, P2pkhFastPath } from './p2pkh-fast-path.ts'
import { type SourceOutput, verifyScripts } from './script-verify.ts'

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** Signers: pure-JS key derivation is slow, so a few keys serve every run; one signs uncompressed. */
const SIGNERS = [0, 1, 2, 3].map((i) => {
  const key = PrivateKey.fromRandom()
  const publicKey = key.toPublicKey().encode(i !== 3) as number[]
  const lock = new LockingScript([
    { op: 0x76 },
    { op: 0xa9 },
    { op: 20, data: Hash.hash160(publicKey) },
    { op: 0x88 },
    { op: 0xac },
  ])
  return { key, publicKey, lock }
})
type Signer = (typeof SIGNERS)[number]

const SCOPES = [SIGHASH.ALL, SIGHASH.NONE, SIGHASH.SINGLE].flatMap((base) => [
  base | SIGHASH.FORKID,
  base | SIGHASH.FORKID | SIGHASH.ANYONECANPAY,
])

interface SpendCase {
  tx: Transaction
  sources: SourceOutput[]
}

const uint32 = fc.integer({ min: 0, max: 0xffffffff })
const txid = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))
const outputScript = fc.oneof(
  fc.constant(new P2PKH().lock(PrivateKey.fromRandom().toAddress())),
  fc.uint8Array({ maxLength: 40 }).map((b) => LockingScript.fromHex(`006a${Buffer.from(b).toString('hex')}`)),
)
const inputArb = fc.record({
  signer: fc.integer({ min: 0, max: SIGNERS.length - 1 }),
  scope: fc.constantFrom(...SCOPES),
  satoshis: fc.integer({ min: 1, max: 2_100_000_000_000_000 }),
  sourceTXID: txid,
  vout: fc.integer({ min: 0, max: 5 }),
  sequence: uint32,
})
const spendArb = fc.record({
  version: fc.constantFrom(1, 2),
  lockTime: uint32,
  inputs: fc.array(inputArb, { minLength: 1, maxLength: 3 }),
  outputs: fc.array(fc.record({ satoshis: fc.nat({ max: 1e12 }), script: outputScript }), {
    minLength: 1,
    maxLength: 3,
  }),
})

type SpendSpec = typeof spendArb extends fc.Arbitrary<infer T> ? T : never

/** Builds and signs a spend as a wallet would, then parses it back from bytes as a merchant does. */
function build(spec: SpendSpec): SpendCase {
  const tx = new Transaction(
    spec.version,
    spec.inputs.map((i) => ({
      sourceTXID: i.sourceTXID,
      sourceOutputIndex: i.vout,
      sequence: i.sequence,
    })),
    spec.outputs.map((o) => ({ satoshis: o.satoshis, lockingScript: o.script })),
    spec.lockTime,
  )
  const sources = spec.inputs.map((i) => ({ satoshis: i.satoshis, lockingScript: SIGNERS[i.signer]!.lock }))
  spec.inputs.forEach((spec, index) => {
    const signer = SIGNERS[spec.signer]!
    const sig = signature(tx, index, sources[index]!, { signer, scope: spec.scope })
    tx.inputs[index]!.unlockingScript = unlockWith(sig, signer.publicKey)
  })
  return { tx: Transaction.fromHex(tx.toHex()), sources }
}

/** The checksig-format signature of input `index`, sighash computed by the SDK itself. */
function signature(
  tx: Transaction,
  index: number,
  source: SourceOutput,
  o: { signer: Signer; scope: number },
) {
  const input = tx.inputs[index]!
  const preimage = TransactionSignature.formatBytes({
    sourceTXID: input.sourceTXID!,
    sourceOutputIndex: input.sourceOutputIndex,
    sourceSatoshis: source.satoshis,
    transactionVersion: tx.version,
    otherInputs: tx.inputs.filter((_, j) => j !== index),
    outputs: tx.outputs,
    inputIndex: index,
    subscript: source.lockingScript,
    inputSequence: input.sequence!,
    lockTime: tx.lockTime,
    scope: o.scope,
  })
  const raw = o.signer.key.sign(Hash.sha256(preimage))
  return new TransactionSignature(raw.r, raw.s, o.scope).toChecksigFormat()
}

function unlockWith(sig: number[], publicKey: number[]): UnlockingScript {
  return new UnlockingScript([
    { op: sig.length, data: sig },
    { op: publicKey.length, data: publicKey },
  ])
}

/** The interpreter's verdict on input `index` (as `script-verify.ts` runs it, without the fast path). */
function interpreterAccepts({ tx, sources }: SpendCase, index: number): boolean {
  const input = tx.inputs[index]!
  try {
    return new Spend({
      sourceTXID: input.sourceTXID!,
      sourceOutputIndex: input.sourceOutputIndex,
      sourceSatoshis: sources[index]!.satoshis,
      lockingScript: sources[index]!.lockingScript,
      transactionVersion: tx.version,
      otherInputs: tx.inputs.filter((_, j) => j !== index),
      outputs: tx.outputs,
      inputIndex: index,
      unlockingScript: input.unlockingScript!,
      inputSequence: input.sequence!,
      lockTime: tx.lockTime,
    }).validate()
  } catch {
    return false
  }
}

function fastAccepts({ tx, sources }: SpendCase, index: number): boolean {
  return new P2pkhFastPath(tx).verify(index, sources[index]!) === true
}

/** DER of (r, s), each minimally encoded; `padR` adds a superfluous leading zero to R. */
function der(r: bigint, s: bigint, padR = false): number[] {
  const int = (v: bigint, pad: boolean) => {
    let bytes = [...Buffer.from(v.toString(16).padStart(64, '0'), 'hex')]
    while (bytes.length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) bytes = bytes.slice(1)
    if ((bytes[0]! & 0x80) !== 0) bytes = [0, ...bytes]
    if (pad) bytes = [0, ...bytes]
    return [0x02, bytes.length, ...bytes]
  }
  const body = [...int(r, padR), ...int(s, false)]
  return [0x30, body.length, ...body]
}

function parseSig(sig: readonly number[]): { r: bigint; s: bigint; scope: number } {
  const lenR = sig[3]!
  const hex = (from: number, len: number) =>
    BigInt(`0x${Buffer.from(sig.slice(from, from + len)).toString('hex')}`)
  return { r: hex(4, lenR), s: hex(6 + lenR, sig[5 + lenR]!), scope: sig.at(-1)! }
}

type Mutation = (c: SpendCase, index: number, pick: number) => SpendCase

/** A copy of `c.tx` with `change` applied, through its bytes (a parsed tx caches its serialisation). */
function rebuilt(c: SpendCase, change: (tx: Transaction) => void): Transaction {
  const tx = new Transaction(
    c.tx.version,
    c.tx.inputs.map((i) => ({ ...i })),
    c.tx.outputs.map((o) => ({ ...o })),
    c.tx.lockTime,
  )
  change(tx)
  return Transaction.fromHex(tx.toHex())
}
const withUnlock = (c: SpendCase, index: number, unlock: UnlockingScript): SpendCase => ({
  tx: rebuilt(c, (tx) => {
    tx.inputs[index]!.unlockingScript = unlock
  }),
  sources: c.sources,
})
const sigOf = (c: SpendCase, index: number) => c.tx.inputs[index]!.unlockingScript!.chunks[0]!.data!
const keyOf = (c: SpendCase, index: number) => c.tx.inputs[index]!.unlockingScript!.chunks[1]!.data!

/** Mutations of one input; each makes the spend invalid, or (high S, NONE outputs) leaves it to the interpreter. */
const MUTATIONS: Record<string, Mutation> = {
  'a flipped byte of R or S': (c, i, pick) => {
    const sig = [...sigOf(c, i)]
    const lenR = sig[3]!
    const at = pick % 2 === 0 ? 4 + (pick % lenR) : 6 + lenR + (pick % sig[5 + lenR]!)
    sig[at] = sig[at]! ^ (1 << (pick % 8))
    return withUnlock(c, i, unlockWith(sig, keyOf(c, i)))
  },
  'another key': (c, i, pick) => {
    const other = SIGNERS.find((s) => s.publicKey.join() !== keyOf(c, i).join())!
    const tx = withUnlock(c, i, unlockWith(sigOf(c, i), other.publicKey)).tx
    // Also with the source locked to that key, so only the signature can fail.
    const sources =
      pick % 2 === 0
        ? c.sources
        : c.sources.map((s, j) => (j === i ? { ...s, lockingScript: other.lock } : s))
    return { tx, sources }
  },
  'the high-S twin of the signature': (c, i) => {
    const { r, s, scope } = parseSig(sigOf(c, i))
    return withUnlock(c, i, unlockWith([...der(r, N - s), scope], keyOf(c, i)))
  },
  'a zero-padded R (not DER)': (c, i) => {
    const { r, s, scope } = parseSig(sigOf(c, i))
    return withUnlock(c, i, unlockWith([...der(r, s, true), scope], keyOf(c, i)))
  },
  'another sighash byte': (c, i, pick) => {
    const sig = [...sigOf(c, i)]
    const others = [...SCOPES, 0x01, 0x41 | 0x20, 0x40, 0x44, 0x00, 0xff].filter((s) => s !== sig.at(-1))
    sig[sig.length - 1] = others[pick % others.length]!
    return withUnlock(c, i, unlockWith(sig, keyOf(c, i)))
  },
  'another amount spent': (c, i, pick) => ({
    tx: c.tx,
    sources: c.sources.map((s, j) => (j === i ? { ...s, satoshis: s.satoshis + 1 + (pick % 1000) } : s)),
  }),
  'a non-minimal push of the signature': (c, i) => {
    // Written as bytes: the SDK re-encodes pushes given as chunks minimally.
    const hex = (b: readonly number[]) => Buffer.from(b).toString('hex')
    const sig = sigOf(c, i)
    const key = keyOf(c, i)
    const unlock = UnlockingScript.fromHex(`4c${hex([sig.length])}${hex(sig)}${hex([key.length])}${hex(key)}`)
    return withUnlock(c, i, unlock)
  },
  'another output amount': (c, _i, pick) => ({
    tx: rebuilt(c, (tx) => {
      const output = tx.outputs[pick % tx.outputs.length]!
      output.satoshis = output.satoshis! + 1
    }),
    sources: c.sources,
  }),
}

describe('P2PKH fast path', () => {
  it('accepts every valid P2PKH spend, as the interpreter does (ALL, NONE, SINGLE, ± ANYONECANPAY)', () => {
    fc.assert(
      fc.property(spendArb, (spec) => {
        const c = build(spec)
        c.tx.inputs.forEach((_, i) => {
          expect(interpreterAccepts(c, i)).toBe(true)
          expect(fastAccepts(c, i)).toBe(true)
        })
        expect(verifyScripts(c.tx, c.sources)).toBeNull()
      }),
      { numRuns: 70 },
    )
  })

  it('never accepts a mutated spend the interpreter refuses', () => {
    const names = Object.keys(MUTATIONS)
    fc.assert(
      fc.property(spendArb, fc.constantFrom(...names), fc.nat(), (spec, name, pick) => {
        const c = build(spec)
        const i = pick % c.tx.inputs.length
        const mutated = MUTATIONS[name]!(c, i, pick)
        const byInterpreter = interpreterAccepts(mutated, i)
        // The mutation bites: only these may leave the spend valid (version 2 relaxes low S and minimal pushes).
        const relaxed = name.includes('high-S') || name.includes('non-minimal')
        if (name !== 'another output amount' && !(relaxed && spec.version > 1))
          expect(byInterpreter).toBe(false)
        if (!byInterpreter) expect(fastAccepts(mutated, i)).toBe(false)
        // Encodings the fast path never vouches for, whatever the interpreter's flags allow.
        if (name.includes('high-S') || name.includes('padded') || name.includes('non-minimal')) {
          expect(fastAccepts(mutated, i)).toBe(false)
        }
        // The refusal and its reason are the interpreter's; only the output mutation touches other inputs.
        const failure = verifyScripts(mutated.tx, mutated.sources)
        if (!byInterpreter) expect(failure).not.toBeNull()
        if (!byInterpreter && name !== 'another output amount') expect(failure?.inputIndex).toBe(i)
      }),
      { numRuns: 130 },
    )
  })

  it('leaves other script shapes to the interpreter', () => {
    const { publicKey } = SIGNERS[0]!
    const p2pk = new LockingScript([{ op: publicKey.length, data: publicKey }, { op: 0xac }])
    const tx = new Transaction(
      1,
      [{ sourceTXID: 'ab'.repeat(32), sourceOutputIndex: 0, sequence: 0xffffffff }],
      [{ satoshis: 1, lockingScript: p2pk }],
    )
    const source = { satoshis: 10, lockingScript: p2pk }
    const scope = SIGHASH.ALL | SIGHASH.FORKID
    const sig = signature(tx, 0, source, { signer: SIGNERS[0]!, scope })
    tx.inputs[0]!.unlockingScript = new UnlockingScript([{ op: sig.length, data: sig }])
    expect(new P2pkhFastPath(tx).verify(0, source)).toBeUndefined()
    expect(verifyScripts(tx, [source])).toBeNull()
  })
})

describe('strict encodings', () => {
  it('strict DER with low S: BIP66 rules', () => {
    const low = der(5n, 7n)
    expect(isStrictLowSDer(Uint8Array.from(low))).toBe(true)
    expect(isStrictLowSDer(Uint8Array.from(der(5n, N - 7n)))).toBe(false)
    expect(isStrictLowSDer(Uint8Array.from(der(5n, 7n, true)))).toBe(false)
    expect(isStrictLowSDer(Uint8Array.from(der(0n, 7n)))).toBe(false)
    expect(isStrictLowSDer(Uint8Array.from([...low, 0]))).toBe(false)
    expect(isStrictLowSDer(Uint8Array.from([0x30, 0x81, ...low.slice(1)]))).toBe(false)
  })

  it('whatever it calls strict DER with low S, the SDK parses with low S', () => {
    const derLike = fc.tuple(fc.nat({ max: 34 }), fc.nat({ max: 34 }), fc.uint8Array({ maxLength: 70 }))
    const shaped = derLike.map(([lenR, lenS, rest]) => {
      const bytes = [...rest]
      while (bytes.length < lenR + lenS) bytes.push(1)
      const body = [0x02, lenR, ...bytes.slice(0, lenR), 0x02, lenS, ...bytes.slice(lenR, lenR + lenS)]
      return Uint8Array.from([0x30, body.length, ...body])
    })
    fc.assert(
      fc.property(fc.oneof(shaped, fc.uint8Array({ maxLength: 80 })), (bytes) => {
        if (!isStrictLowSDer(bytes)) return
        expect(TransactionSignature.fromChecksigFormat([...bytes, 0x41]).hasLowS()).toBe(true)
      }),
    )
  })

  it('SEC keys: 02/03 with 32 bytes, 04 with 64, coordinates below p', () => {
    const x = Buffer.alloc(32, 1)
    expect(isSecKey(Buffer.concat([Buffer.from([2]), x]))).toBe(true)
    expect(isSecKey(Buffer.concat([Buffer.from([4]), x, x]))).toBe(true)
    expect(isSecKey(Buffer.concat([Buffer.from([6]), x, x]))).toBe(false)
    expect(isSecKey(Buffer.concat([Buffer.from([2]), Buffer.alloc(32, 0xff)]))).toBe(false)
    expect(isSecKey(Buffer.concat([Buffer.from([3]), x, Buffer.from([0])]))).toBe(false)
  })
})
