/**
 * The proof sink route (PROTOCOLS.md P4 §13): `POST /api/v1/proofs/{txid}?i={paymentId}`, bearer
 * token, 201 with an empty body once stored. A trailing `/{callbackReason}` segment (mAPI's README
 * shows one) is tolerated, also when it was appended after the query and so ends up inside `i`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PaylinkError } from '../../core/errors.ts'
import type { Proofs } from '../proofs.ts'

export function proofRoutes(app: FastifyInstance, proofs: Proofs): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const { txid } = req.params as { txid: string }
    const i = ((req.query as { i?: string }).i ?? '').split('/')[0] ?? ''
    const header = req.headers.authorization ?? ''
    if (!header.startsWith('Bearer '))
      throw new PaylinkError('PL6001', 'proof callback without a bearer token')
    await proofs.receive(i, txid, header.slice(7), req.body)
    return reply.code(201).send()
  }
  app.post('/api/v1/proofs/:txid', { bodyLimit: 1024 * 1024 }, handler)
  app.post('/api/v1/proofs/:txid/:reason', { bodyLimit: 1024 * 1024 }, handler)
}
