/**
 * Two neighbours (protocols-amiko.md §14, `twonodes.py`): one channel 1000/0, the meeting point on
 * the payee's node. 123 commits (877/123); a payer that refuses at the receipt cancels, and the
 * payee erases its token; the payer's proof of payment is the token with the signed receipt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { receiptSigningData, tokenMatches, verify } from '../../src/amiko/protocol/index.ts'
import { type Baseline, baselineOf, expectLedger, viewsOfNodes } from './invariants.ts'
import { connect, startNode, type TestNode, until } from './support.ts'

let payer: TestNode
let payee: TestNode
let baseline: Baseline

beforeAll(async () => {
  payee = await startNode({ name: 'payee', meetingPoints: ['MP'] })
  payer = await startNode({ name: 'payer', settings: { externalMeetingPoints: { MP: payee.node.nodeKey } } })
  await connect({ node: payer.node, name: 'payer' }, { node: payee.node, name: 'payee' }, 1000, 0)
  baseline = baselineOf(await views())
}, 30_000)
afterAll(async () => {
  await payer.close()
  await payee.close()
})

const views = () => viewsOfNodes({ payer: payer.node, payee: payee.node })
/** §13 at rest against the network as built: the one channel holds the 1000 deposited. */
const ledger = () => expectLedger(views, { baseline, deposit: () => 1000 })

describe('two neighbours, meeting point on the payee', () => {
  it('123 commits: 877/123; the payer keeps token and signed receipt as its proof', async () => {
    const request = await payee.node.request(123, 'receipt')
    expect(request.url).toMatch(/^amikopay:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/)
    const offer = await payer.node.pay(request.url)
    expect(offer).toMatchObject({ amount: 123, receipt: 'receipt', meetingPoint: 'MP', signed: true })
    const outcome = await payer.node.confirm(offer.payer, true, 20_000)
    expect(outcome.state).toBe('committed')
    expect(await payee.node.payeeOutcome(request.paymentId, 10_000)).toMatchObject({ state: 'committed' })
    await until(() => payee.node.balance().total === 123)
    expect(payer.node.balance()).toEqual({
      links: { link_to_payee: { local: 877, remote: 123 } },
      total: 877,
    })
    const [proof] = await payer.node.payments()
    expect(proof).toMatchObject({ amount: -123, state: 'committed', transactionId: request.transactionId })
    expect(tokenMatches(proof?.token ?? '', request.transactionId)).toBe(true)
    const signed = receiptSigningData(123, 'receipt', request.transactionId)
    expect(verify(payee.node.nodeKey, signed, proof?.signature ?? '')).toBe(true)
    await ledger()
  }, 30_000)

  it('the payer refuses at the receipt: cancelled on both ends, the token erased, nothing moved', async () => {
    const before = [payer.node.balance(), payee.node.balance()]
    const request = await payee.node.request(55, 'refused')
    const offer = await payer.node.pay(request.url)
    const outcome = await payer.node.confirm(offer.payer, false)
    expect(outcome).toMatchObject({ state: 'cancelled', reason: 'AMIKO_CANCELLED_BY_PAYER' })
    const ended = await payee.node.payeeOutcome(request.paymentId, 10_000)
    expect(ended).toMatchObject({ state: 'cancelled', token: null })
    expect(payee.node.snapshot().payees[request.paymentId]?.token ?? null).toBeNull()
    expect([payer.node.balance(), payee.node.balance()]).toEqual(before)
    await ledger()
  }, 30_000)
})
