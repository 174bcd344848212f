import { describe, expect, it } from 'vitest'
import { ARC_ACCEPTED, classifyArcAnswer } from './arc-classify.ts'

const TXID = 'ab'.repeat(32)
const body = (txStatus: string, extra: Record<string, unknown> = {}) => ({ txid: TXID, txStatus, ...extra })

describe('ARC answers classified by §12.1', () => {
  it.each(ARC_ACCEPTED)('txStatus %s is accepted', (txStatus) => {
    expect(classifyArcAnswer(200, body(txStatus), TXID)).toEqual({ status: 'accepted', txid: TXID, txStatus })
  })

  it('REJECTED with 200 is rejected PL2010, memo from extraInfo', () => {
    expect(classifyArcAnswer(200, body('REJECTED', { extraInfo: 'arc says no' }), TXID)).toEqual({
      status: 'rejected',
      code: 'PL2010',
      detail: 'arc says no',
    })
  })

  it('DOUBLE_SPEND_ATTEMPTED is rejected PL2011 with its competing txs', () => {
    const competingTxs = ['cd'.repeat(32)]
    expect(classifyArcAnswer(200, body('DOUBLE_SPEND_ATTEMPTED', { competingTxs }), TXID)).toMatchObject({
      status: 'rejected',
      code: 'PL2011',
      competingTxs,
    })
  })

  it.each(['UNKNOWN', 'QUEUED', 'RECEIVED', 'SEEN_IN_ORPHAN_MEMPOOL', 'MINED_IN_STALE_BLOCK', 'NEW_STATUS'])(
    'txStatus %s must be polled',
    (txStatus) => {
      expect(classifyArcAnswer(200, body(txStatus), TXID)).toEqual({ status: 'pending', txStatus })
    },
  )

  it('a 2xx about another txid, or without a status, is undecided: a 2xx alone means nothing', () => {
    expect(classifyArcAnswer(200, { ...body('SEEN_ON_NETWORK'), txid: 'cd'.repeat(32) }, TXID)).toMatchObject(
      {
        status: 'undecided',
        code: 'PL4002',
      },
    )
    expect(classifyArcAnswer(200, { txid: TXID }, TXID)).toMatchObject({
      status: 'undecided',
      code: 'PL4001',
    })
    expect(classifyArcAnswer(201, undefined, TXID)).toMatchObject({ status: 'undecided', code: 'PL4001' })
  })

  it.each([400, 422, 460, 461, 462, 463, 464, 465, 467, 468, 469, 471, 472, 473])(
    '%i is rejected PL2010 with memo "title: detail"',
    (status) => {
      const problem = { status, title: 'Malformed', detail: 'input 0 fails' }
      expect(classifyArcAnswer(status, problem, TXID)).toEqual({
        status: 'rejected',
        code: 'PL2010',
        detail: 'Malformed: input 0 fails',
      })
    },
  )

  it('466 is rejected PL2011', () => {
    const problem = { status: 466, title: 'Conflicting tx found', competingTxs: ['ef'.repeat(32)] }
    expect(classifyArcAnswer(466, problem, TXID)).toEqual({
      status: 'rejected',
      code: 'PL2011',
      detail: 'Conflicting tx found',
      competingTxs: ['ef'.repeat(32)],
    })
  })

  it.each([
    [401, 'PL4003'],
    [403, 'PL4003'],
    [409, 'PL4001'],
    [500, 'PL4001'],
    [503, 'PL4001'],
    [404, 'PL4001'],
  ])('%i is undecided %s', (status, code) => {
    expect(classifyArcAnswer(status, { title: 'x' }, TXID)).toMatchObject({ status: 'undecided', code })
  })
})
