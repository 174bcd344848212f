/**
 * Crash safety (DESIGN.md reliability targets; issue 3): the merchant, a real process, killed
 * with SIGKILL at each step of a payment and restarted on the same store. Every payment the
 * wallet saw ACKed is paid after the restart, nothing is credited twice, the broadcast is not
 * lost, and the wallet re-sending the same Payment gets the same ACK.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CrashStep } from '../../src/merchant/crash-point.ts'
import { fundedKey, type RunningDevnet, startDevnet, tempDb } from '../support/devnet.ts'
import { API_KEY, payTx } from '../support/merchant.ts'
import { freePort } from '../support/ports.ts'
import { startPaylink, stop } from '../support/process.ts'

type Json = Record<string, unknown>

let net: RunningDevnet

beforeAll(async () => {
  net = await startDevnet()
})
afterAll(() => net.close())

function startMerchant(port: number, db: string, fault?: CrashStep) {
  const args = ['merchant', '--port', String(port), '--arc', net.urls.arc, '--db', db, '--api-key', API_KEY]
  return startPaylink([...args, '--public-url', `http://127.0.0.1:${port}`], /paylink merchant on /, {
    PAYLINK_FAULT: fault ?? '',
  })
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(url, init)
  return { status: res.status, body: await res.text() }
}

const adminHeaders = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }

/** Creates an invoice and the Payment a wallet would send for it. */
async function invoiceAndPayment(base: string) {
  const created = await json(`${base}/api/v1/invoices`, {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify({ satoshis: 4000, description: 'crash test' }),
  })
  const invoice = JSON.parse(created.body) as Json
  const request = JSON.parse((await json(invoice['paymentUrl'] as string)).body) as Json
  const outputs = (request['destinations'] as { outputs: { script: string; amount: number }[] }).outputs
  const tx = await payTx(await fundedKey(net.urls, 20_000), outputs)
  const body = JSON.stringify({
    merchantData: request['merchantData'],
    rawTx: tx.toHex(),
    ancestry: tx.toHexBEEF(),
  })
  return { id: invoice['id'] as string, url: invoice['paymentUrl'] as string, txid: tx.id('hex'), body }
}

function post(url: string, body: string) {
  return json(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
}

async function invoiceOf(base: string, id: string): Promise<Json> {
  return JSON.parse((await json(`${base}/api/v1/invoices/${id}`, { headers: adminHeaders })).body) as Json
}

const PAYMENT_STEPS: CrashStep[] = ['payment-received', 'validated', 'stored', 'broadcast', 'ack-sent']

describe('merchant killed with SIGKILL and restarted', () => {
  for (const step of PAYMENT_STEPS) {
    it(`at "${step}": the payment ends paid once, broadcast, and a re-sent Payment gets the same ACK`, async () => {
      const port = await freePort()
      const db = tempDb('merchant')
      const base = `http://127.0.0.1:${port}`
      const crashing = await startMerchant(port, db, step)
      const pay = await invoiceAndPayment(base)
      const first = await post(pay.url, pay.body).catch(() => undefined)
      await exited(crashing.child)
      if (step === 'ack-sent') expect(first?.status).toBe(201)
      else expect(first).toBeUndefined()
      // Where it died: before the broadcast the chain has never seen the transaction.
      const broadcastBefore = step === 'broadcast' || step === 'ack-sent'
      expect((await fetch(`${net.urls.arc}/v1/tx/${pay.txid}`)).status).toBe(broadcastBefore ? 200 : 404)

      const again = await startMerchant(port, db)
      try {
        const second = await post(pay.url, pay.body)
        expect(second.status).toBe(201)
        if (first !== undefined) expect(second.body).toBe(first.body)
        expect(JSON.parse(second.body)).toMatchObject({ tx_id: pay.txid, error: 0 })
        const third = await post(pay.url, pay.body)
        expect(third).toEqual(second)

        const invoice = await invoiceOf(base, pay.id)
        expect(invoice).toMatchObject({ state: 'paid', payment: { txid: pay.txid, satoshisPaid: 4000 } })
        expect((await fetch(`${net.urls.arc}/v1/tx/${pay.txid}`)).status).toBe(200)
      } finally {
        await stop(again.child)
      }
    })
  }

  it('at "proof-received": the broadcaster retries the callback and the proof is stored after the restart', async () => {
    const port = await freePort()
    const db = tempDb('merchant')
    const base = `http://127.0.0.1:${port}`
    const healthy = await startMerchant(port, db)
    const pay = await invoiceAndPayment(base)
    expect((await post(pay.url, pay.body)).status).toBe(201)
    await stop(healthy.child)

    const crashing = await startMerchant(port, db, 'proof-received')
    await fetch(`${net.urls.base}/devnet/mine`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    await exited(crashing.child)

    const again = await startMerchant(port, db)
    try {
      let invoice = await invoiceOf(base, pay.id)
      for (let i = 0; i < 100 && (invoice['payment'] as Json)['state'] !== 'mined'; i++) {
        await new Promise((r) => setTimeout(r, 100))
        invoice = await invoiceOf(base, pay.id)
      }
      expect(invoice).toMatchObject({ state: 'paid', payment: { txid: pay.txid, state: 'mined' } })
      expect((invoice['payment'] as { proof: Json }).proof['merklePath']).toEqual(expect.any(String))
    } finally {
      await stop(again.child)
    }
  })
})
