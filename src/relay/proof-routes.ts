/**
 * The relay's proof sink (PROTOCOLS.md P4 §13, models 2 and 3): `POST /api/v1/proofs/{txid}?i=
 * {channelId}` with the channel's `proofToken` (else 401 `PL6001`). The relay cannot check headers:
 * it checks token and shape, and once an ACK has crossed that `{txid}` is its `tx_id` (400
 * `PL6003`); status-only callbacks get 201 and are dropped. A proof goes to both roles as
 * `proof.create` (queued for absent ones), `correlationId` = txid, header `X-Tx-Id: [txid]`.
 */
import { MerklePath } from '@bsv/sdk'
import type { FastifyInstance } from 'fastify'
import { jsonEnvelopeSchema } from '../chain/json-envelope.ts'
import { type CallbackEvent, readCallback } from '../chain/proof-callback.ts'
import { proofEnvelope } from '../chain/proof-envelope.ts'
import type { Clock } from '../core/clock.ts'
import { PaylinkError } from '../core/errors.ts'
import { envelope } from '../p4/relay-envelope.ts'
import type { Channels } from './channels.ts'
import type { Hub } from './hub.ts'
import { bearerOf, secretMatches } from './secrets.ts'

export interface ProofRouteDeps {
  channels: Channels
  hub: Hub
  clock: Clock
}

type ProofRequest = { Params: { txid: string; reason?: string }; Querystring: { i?: string } }

export function proofRoutes(app: FastifyInstance, deps: ProofRouteDeps): void {
  const handler = async (req: {
    params: ProofRequest['Params']
    query: ProofRequest['Querystring']
    headers: { authorization?: string }
    body: unknown
  }) => {
    const txid = req.params.txid.toLowerCase()
    const channelId = (req.query.i ?? '').split('/')[0] ?? ''
    const channel = await deps.channels.get(channelId)
    if (channel === undefined) throw new PaylinkError('PL5001', 'no such channel')
    if (!secretMatches(channel.proofTokenHash, bearerOf(req.headers.authorization) ?? '')) {
      throw new PaylinkError('PL6001', 'proof callback without the right token')
    }
    const proofs = readCallback(req.body).filter((e) => e.kind === 'proof')
    for (const event of proofs) {
      if (event.txid !== txid || (channel.ackTxid !== null && channel.ackTxid !== txid)) {
        throw new PaylinkError('PL6003', 'proof not for this transaction or channel')
      }
    }
    const body = proofs.length === 0 ? undefined : proofBody(req.body, proofs[0]!, deps.clock.now())
    if (body === undefined) return
    for (const role of ['merchant', 'customer'] as const) {
      const message = envelope(
        {
          type: 'proof.create',
          channelId,
          correlationId: txid,
          appId: 'p4',
          headers: { 'X-Tx-Id': [txid] },
          body,
        },
        deps.clock.now(),
      )
      await deps.hub.deliverTo(channelId, channel.expiresAt, role, message)
    }
  }
  for (const path of ['/api/v1/proofs/:txid', '/api/v1/proofs/:txid/:reason']) {
    app.post<ProofRequest>(path, async (req, reply) => {
      await handler(req)
      return reply.code(201).send()
    })
  }
}

/** The ProofEnvelope (§13): a mAPI JSONEnvelope unchanged, a bare mAPI callback wrapped, ARC converted. */
function proofBody(raw: unknown, event: Extract<CallbackEvent, { kind: 'proof' }>, now: number): unknown {
  if (jsonEnvelopeSchema.safeParse(raw).success) return raw
  if (event.bump === undefined) {
    const payload = JSON.stringify(raw)
    return { payload, signature: null, publicKey: null, encoding: 'UTF-8', mimetype: 'application/json' }
  }
  const path = MerklePath.fromHex(event.bump)
  return proofEnvelope(event.txid, path, event.blockHash ?? '', event.blockHeight ?? path.blockHeight, now)
}
