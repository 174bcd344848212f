/**
 * The store contract, run against both engines: SQLite in the default suite, PostgreSQL in the
 * service suite. Each case takes a freshly opened store.
 */
import { expect, it } from 'vitest'
import { inTransaction, type Store } from '../../src/store/index.ts'

export function storeContract(open: () => Promise<Store>): void {
  it('migrates to the latest schema and reopens without re-running migrations', async () => {
    const store = await open()
    await store.db.insertInto('devnet_meta').values({ key: 'k', value: 'v' }).execute()
    const row = await store.db.selectFrom('devnet_meta').selectAll().executeTakeFirstOrThrow()
    expect(row).toEqual({ key: 'k', value: 'v' })
    await store.close()
  })

  it('reads bigint amounts back as exact numbers', async () => {
    const store = await open()
    const big = 2_100_000_000_000_000
    await store.db
      .insertInto('devnet_outputs')
      .values({ txid: 'a'.repeat(64), vout: 0, satoshis: big, script: '51', coinbase: 0, spent_by: null })
      .execute()
    const row = await store.db.selectFrom('devnet_outputs').select('satoshis').executeTakeFirstOrThrow()
    expect(row.satoshis).toBe(big)
    await store.close()
  })

  it('commits a transaction that returns and rolls back one that throws', async () => {
    const store = await open()
    await inTransaction(store, (tx) =>
      tx.insertInto('devnet_meta').values({ key: 'kept', value: '1' }).execute(),
    )
    await expect(
      inTransaction(store, async (tx) => {
        await tx.insertInto('devnet_meta').values({ key: 'lost', value: '1' }).execute()
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    const keys = (await store.db.selectFrom('devnet_meta').select('key').execute()).map((r) => r.key)
    expect(keys).toEqual(['kept'])
    await store.close()
  })

  it('keeps a unique constraint: a second callback for the same status is refused', async () => {
    const store = await open()
    const row = {
      txid: 't',
      url: 'http://127.0.0.1/cb',
      token: 'x',
      status: 'MINED',
      body: '{}',
      attempts: 0,
      next_attempt_at: 0,
      state: 'pending' as const,
      created_at: 0,
    }
    await store.db
      .insertInto('devnet_callbacks')
      .values({ ...row, id: '1' })
      .execute()
    await expect(
      store.db
        .insertInto('devnet_callbacks')
        .values({ ...row, id: '2' })
        .execute(),
    ).rejects.toThrow()
    await store.close()
  })

  it('keeps at most one payment that is not rejected per invoice', async () => {
    const store = await open()
    const now = 0
    await store.db
      .insertInto('merchant_invoices')
      .values({
        id: 'inv1',
        state: 'pending',
        satoshis: 1000,
        description: 'd',
        reference: null,
        spv_required: 0,
        model: 'rest',
        created_at: now,
        expires_at: now,
        payment_url: 'u',
        script: '51',
        request: null,
        updated_at: now,
      })
      .execute()
    const payment = (id: string, txid: string, state: 'accepted' | 'rejected') => ({
      id,
      invoice_id: 'inv1',
      txid,
      state,
      dialect: 'p4' as const,
      raw_tx: '00',
      broadcast_body: '00',
      refund_to: null,
      memo: null,
      proof_callbacks: null,
      callback_token: 't',
      satoshis_paid: 1000,
      overpaid: 0,
      ack: null,
      ack_status: null,
      received_at: now,
      block_hash: null,
      block_height: null,
      merkle_path: null,
      updated_at: now,
    })
    await store.db
      .insertInto('merchant_payments')
      .values(payment('p1', 'a', 'rejected'))
      .execute()
    await store.db
      .insertInto('merchant_payments')
      .values(payment('p2', 'b', 'accepted'))
      .execute()
    await expect(
      store.db
        .insertInto('merchant_payments')
        .values(payment('p3', 'c', 'accepted'))
        .execute(),
    ).rejects.toThrow()
    await expect(
      store.db
        .insertInto('merchant_payments')
        .values(payment('p4', 'b', 'rejected'))
        .execute(),
    ).rejects.toThrow()
    await store.close()
  })
}
