/**
 * The admin API (PROTOCOLS.md P4 §3): invoices, behind `Authorization: Bearer {apiKey}`.
 */
import type { FastifyInstance } from 'fastify'
import { schemaFailure } from '../../p4/field-errors.ts'
import { createInvoiceSchema, type Invoices, listQuerySchema } from '../invoices.ts'
import { bearerAuth } from './bearer-auth.ts'

const ADMIN_BODY_LIMIT = 16 * 1024

export function adminRoutes(
  app: FastifyInstance,
  invoices: Invoices,
  keyHashes: () => readonly Uint8Array[],
): void {
  const authorize = bearerAuth(keyHashes)
  const opts = { onRequest: authorize, bodyLimit: ADMIN_BODY_LIMIT }

  app.post('/api/v1/invoices', opts, async (req, reply) => {
    const body = createInvoiceSchema.safeParse(req.body)
    if (!body.success) throw schemaFailure(body.error, 'invoice')
    return reply.code(201).send(await invoices.create(body.data))
  })
  app.get('/api/v1/invoices', opts, async (req) => {
    const query = listQuerySchema.safeParse(req.query)
    if (!query.success) throw schemaFailure(query.error, 'query')
    return invoices.list(query.data)
  })
  app.get('/api/v1/invoices/:id', opts, async (req) => invoices.get((req.params as { id: string }).id))
  app.delete('/api/v1/invoices/:id', opts, async (req) => invoices.cancel((req.params as { id: string }).id))
}
