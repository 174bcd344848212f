/**
 * The wallet's `proofCallbacks` endpoint (protocols-p4.md §5 `proofCallbacks`, §13 "Deliver"):
 * `POST /proofs/{paymentId}` with `Authorization: Bearer {token}` (the payment's own random
 * token, compared in constant time) and a ProofEnvelope (or any broadcaster callback body
 * `readCallback` knows). The proof must be for the payment's transaction (`PL6003`) and verify
 * against the headers (`PL6004`; `PL3005` when the headers service cannot tell, so the sender
 * retries) before it is stored; then 201 with an empty body. Status-only callbacks get 201 too.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { HeaderSource } from '../chain/headers-client.ts'
import { readCallback, verifyProof } from '../chain/proof-callback.ts'
import { constantTimeEqual, utf8ToBytes } from '../core/bytes.ts'
import type { Clock } from '../core/clock.ts'
import { isPaylinkError, PaylinkError } from '../core/errors.ts'
import { ID_PATTERN } from '../core/ids.ts'
import { clientErrorBody } from '../p4/client-error.ts'
import type { Store } from '../store/index.ts'
import { jsonOf } from './http-request.ts'
import { paymentById } from './payment-records.ts'
import { storeProof } from './proofs.ts'

/** Options of the proof server. */
export interface ProofServerOptions {
  store: Store
  clock: Clock
  headers: HeaderSource
  /** Default 0 (any free port). */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Largest body; default 1 MiB. */
  maxBody?: number
}

/** A running proof server. */
export interface ProofServer {
  /** Its base URL: give it to `pay` as `proofCallbackUrl`. */
  url: string
  close(): Promise<void>
}

/** Starts the proof server. */
export async function serveProofs(o: ProofServerOptions): Promise<ProofServer> {
  const host = o.host ?? '127.0.0.1'
  const server = createServer((req, res) => {
    handle(req, o).then(
      () => res.writeHead(201).end(),
      (err: unknown) => answerError(res, err),
    )
  })
  server.requestTimeout = 30_000
  server.headersTimeout = 10_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, host, () => resolve())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : (o.port ?? 0)
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function handle(req: IncomingMessage, o: ProofServerOptions): Promise<void> {
  const paymentId = /^\/proofs\/([^/?]+)$/.exec((req.url ?? '').split('?')[0] ?? '')?.[1]
  if (req.method !== 'POST' || paymentId === undefined) throw new PaylinkError('PL1008', 'unknown route')
  const text = await readBody(req, o.maxBody ?? 1024 * 1024)
  const payment = ID_PATTERN.test(paymentId) ? await paymentById(o.store, paymentId) : undefined
  if (payment?.txid == null) throw new PaylinkError('PL1010', `no payment ${paymentId}`)
  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
  if (
    payment.proof_callback_url === null ||
    !constantTimeEqual(utf8ToBytes(token), utf8ToBytes(payment.callback_token))
  ) {
    throw new PaylinkError('PL6001', 'proof callback without the right token')
  }
  const body = jsonOf(text)
  if (body === undefined) throw new PaylinkError('PL1001', 'body is not JSON')
  for (const event of readCallback(body)) {
    if (event.txid !== payment.txid)
      throw new PaylinkError('PL6003', `proof is for ${event.txid}, not ${payment.txid}`)
    if (event.kind !== 'proof') continue
    const proof = await verifyProof(event, payment.txid, o.headers)
    await storeProof(o.store, o.clock, {
      txid: payment.txid,
      paymentId: payment.id,
      proof,
      source: 'callback',
    })
  }
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= max) chunks.push(chunk)
    })
    req.on('end', () =>
      size > max
        ? reject(new PaylinkError('PL1003', `body over ${max} bytes`))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    )
    req.on('error', reject)
  })
}

function answerError(res: ServerResponse, err: unknown): void {
  const known = isPaylinkError(err) ? err : new PaylinkError('PL9001', 'internal error', { cause: err })
  const body = JSON.stringify(clientErrorBody(known.code, known.message))
  res.writeHead(known.status, { 'content-type': 'application/json; charset=utf-8' }).end(body)
}
