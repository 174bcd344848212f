import { LockingScript, Transaction, TransactionSignature } from '@bsv/sdk'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ForkIdSighash, SIGHASH } from './forkid-sighash.ts'

const uint32 = fc.integer({ min: 0, max: 0xffffffff })
const hex = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('hex'))
const scopes = [SIGHASH.ALL, SIGHASH.NONE, SIGHASH.SINGLE].flatMap((b) => [
  b | SIGHASH.FORKID,
  b | SIGHASH.FORKID | SIGHASH.ANYONECANPAY,
])
const parent = new Transaction(1, [], [{ satoshis: 1, lockingScript: LockingScript.fromHex('51') }], 0)

const txArb = fc.record({
  version: uint32,
  lockTime: uint32,
  inputs: fc.array(
    fc.record({ sourceTXID: hex(32, 32), vout: uint32, sequence: uint32, bySource: fc.boolean() }),
    { minLength: 1, maxLength: 4 },
  ),
  outputs: fc.array(fc.record({ satoshis: fc.nat({ max: Number.MAX_SAFE_INTEGER }), script: hex(0, 300) }), {
    maxLength: 4,
  }),
})

describe('FORKID sighash preimage', () => {
  it('is byte for byte what the SDK interpreter signs (BIP143 with FORKID), every type and input', () => {
    fc.assert(
      fc.property(txArb, fc.constantFrom(...scopes), hex(0, 260), fc.nat(), (spec, scope, code, amount) => {
        const tx = new Transaction(
          spec.version,
          spec.inputs.map((i) =>
            i.bySource
              ? { sourceTransaction: parent, sourceOutputIndex: i.vout, sequence: i.sequence }
              : { sourceTXID: i.sourceTXID, sourceOutputIndex: i.vout, sequence: i.sequence },
          ),
          spec.outputs.map((o) => ({ satoshis: o.satoshis, lockingScript: LockingScript.fromHex(o.script) })),
          spec.lockTime,
        )
        const sighash = new ForkIdSighash(tx)
        const scriptCode = LockingScript.fromHex(code)
        tx.inputs.forEach((input, index) => {
          const expected = TransactionSignature.formatBytes({
            sourceTXID: input.sourceTXID ?? input.sourceTransaction!.id('hex'),
            sourceOutputIndex: input.sourceOutputIndex,
            sourceSatoshis: amount,
            transactionVersion: tx.version,
            otherInputs: tx.inputs.filter((_, j) => j !== index),
            outputs: tx.outputs,
            inputIndex: index,
            subscript: scriptCode,
            inputSequence: input.sequence!,
            lockTime: tx.lockTime,
            scope,
          })
          const ours = sighash.preimage(index, scope, scriptCode.toUint8Array(), amount)
          expect(ours && Buffer.from(ours).toString('hex')).toBe(Buffer.from(expected).toString('hex'))
        })
      }),
      { numRuns: 300 },
    )
  })

  it('refuses what it cannot encode exactly: no FORKID, a malformed txid, an amount out of range', () => {
    const tx = new Transaction(
      1,
      [{ sourceTXID: 'AB'.repeat(32), sourceOutputIndex: 0, sequence: 0 }],
      [{ satoshis: 1, lockingScript: LockingScript.fromHex('51') }],
      0,
    )
    const code = Uint8Array.from([0x51])
    expect(new ForkIdSighash(tx).preimage(0, SIGHASH.ALL, code, 1)).toBeUndefined()
    expect(new ForkIdSighash(tx).preimage(0, SIGHASH.ALL | SIGHASH.FORKID, code, 1)).toBeUndefined()
    tx.inputs[0]!.sourceTXID = 'ab'.repeat(32)
    expect(new ForkIdSighash(tx).preimage(0, SIGHASH.ALL | SIGHASH.FORKID, code, 1)).toBeDefined()
    expect(new ForkIdSighash(tx).preimage(0, SIGHASH.ALL | SIGHASH.FORKID, code, -1)).toBeUndefined()
    expect(new ForkIdSighash(tx).preimage(0, SIGHASH.ALL | SIGHASH.FORKID, code, 2 ** 53)).toBeUndefined()
  })
})
