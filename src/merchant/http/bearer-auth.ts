/** The merchant's admin key check, shared by the admin API and the point-of-sale routes. */
import type { FastifyRequest } from 'fastify'
import { PaylinkError } from '../../core/errors.ts'
import { apiKeyMatches } from '../api-keys.ts'

/** An `onRequest` hook: `Authorization: Bearer KEY` with one of the keys, else 401 `PL1007`. */
export function bearerAuth(keyHashes: () => readonly Uint8Array[]) {
  return async (req: FastifyRequest): Promise<void> => {
    const header = req.headers.authorization ?? ''
    const token = header.startsWith('Bearer ') ? header.slice(7) : ''
    if (token === '' || !apiKeyMatches(keyHashes(), token))
      throw new PaylinkError('PL1007', 'missing or wrong API key')
  }
}
