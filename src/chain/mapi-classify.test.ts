import { PrivateKey } from '@bsv/sdk'
import { describe, expect, it } from 'vitest'
import { signEnvelope } from './json-envelope.ts'
import { classifyMapiSubmit, openMapiEnvelope } from './mapi-classify.ts'

const TXID = 'ab'.repeat(32)
const miner = PrivateKey.fromRandom()
const minerKey = miner.toPublicKey().toString()

describe('mAPI envelopes', () => {
  const payload = { returnResult: 'success' }
  const signed = signEnvelope(JSON.stringify(payload), miner)
  const unsigned = { ...signed, signature: null, publicKey: null }

  it('a signed envelope opens, with or without the expected miner key', () => {
    expect(openMapiEnvelope(signed, minerKey, true)).toEqual({ ok: true, payload, publicKey: minerKey })
    expect(openMapiEnvelope(signed, undefined, true)).toMatchObject({ ok: true, payload })
  })

  it("another miner's envelope, a tampered payload or a non-envelope do not open", () => {
    const other = PrivateKey.fromRandom().toPublicKey().toString()
    expect(openMapiEnvelope(signed, other, false)).toMatchObject({ ok: false })
    expect(
      openMapiEnvelope({ ...signed, payload: '{"returnResult":"failure"}' }, undefined, false),
    ).toMatchObject({
      ok: false,
    })
    expect(openMapiEnvelope(payload, undefined, false)).toMatchObject({ ok: false })
  })

  it('an unsigned envelope opens only when no key is configured and no signature is required', () => {
    expect(openMapiEnvelope(unsigned, undefined, false)).toMatchObject({ ok: true, payload })
    expect(openMapiEnvelope(unsigned, undefined, true)).toMatchObject({ ok: false })
    expect(openMapiEnvelope(unsigned, minerKey, false)).toMatchObject({ ok: false })
  })
})

describe('mAPI submissions classified by §12.2', () => {
  const failure = (extra: Record<string, unknown>) => ({ txid: TXID, returnResult: 'failure', ...extra })

  it('success is accepted', () => {
    expect(classifyMapiSubmit({ txid: TXID, returnResult: 'success' }, TXID)).toMatchObject({
      status: 'accepted',
      txid: TXID,
    })
  })

  it.each([
    'Transaction already in the mempool',
    '257 txn-already-known',
    'txn-already-in-mempool',
    'Already known',
  ])('failure "%s" is a resubmission: accepted', (resultDescription) => {
    expect(classifyMapiSubmit(failure({ resultDescription }), TXID)).toMatchObject({ status: 'accepted' })
  })

  it('failure with conflictedWith is rejected PL2011', () => {
    const answer = failure({
      resultDescription: '258 txn-mempool-conflict',
      conflictedWith: [{ txid: 'cd'.repeat(32) }],
    })
    expect(classifyMapiSubmit(answer, TXID)).toEqual({
      status: 'rejected',
      code: 'PL2011',
      detail: '258 txn-mempool-conflict',
      competingTxs: ['cd'.repeat(32)],
    })
  })

  it('failureRetryable is undecided PL4001; any other failure is rejected PL2010', () => {
    expect(
      classifyMapiSubmit(failure({ resultDescription: 'busy', failureRetryable: true }), TXID),
    ).toMatchObject({
      status: 'undecided',
      code: 'PL4001',
    })
    expect(
      classifyMapiSubmit(failure({ resultDescription: '461 bad script', conflictedWith: [] }), TXID),
    ).toEqual({
      status: 'rejected',
      code: 'PL2010',
      detail: '461 bad script',
    })
  })

  it('an answer about another tx or of another shape is undecided', () => {
    expect(classifyMapiSubmit({ txid: 'cd'.repeat(32), returnResult: 'success' }, TXID)).toMatchObject({
      code: 'PL4002',
    })
    expect(classifyMapiSubmit({ hello: 1 }, TXID)).toMatchObject({ code: 'PL4001' })
  })
})
