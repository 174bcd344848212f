import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/core/clock.ts'
import {
  Client,
  createChannel,
  customerUrl,
  merchantUrl,
  type RunningRelay,
  refusal,
  startRelay,
} from './relay-support.ts'

let running: RunningRelay | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

describe('merchant sighting across a relay restart (§14.2)', () => {
  it('a restarted relay admits customers within 60 s of the last merchant sighting, not after', async () => {
    const clock = new ManualClock(Date.now())
    const first = await startRelay({ clock })
    const c = await createChannel(first.base)
    const never = await createChannel(first.base)
    const merchant = await Client.connect(merchantUrl(c))
    await merchant.nth(1)
    clock.advance(30_000)
    // The relay stops while the merchant is connected: that is its last sighting.
    await first.close()
    await merchant.until(() => merchant.closed !== undefined)
    const r = await startRelay({ clock, db: first.db, port: first.port })
    running = r
    clock.advance(29_000)
    const customer = await Client.connect(customerUrl(c))
    expect(await customer.nth(1)).toMatchObject({ type: 'join.success' })
    expect((await refusal(customerUrl(never))).body).toMatchObject({ reason: 'PL5002' })
    clock.advance(31_000)
    const late = await refusal(customerUrl(c))
    expect(late.status).toBe(404)
    expect(late.body).toMatchObject({ code: 'N00001', reason: 'PL5002' })
    customer.close()
  })
})
