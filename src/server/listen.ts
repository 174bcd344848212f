/** Binds a fastify server and answers the base URL it is reachable at (the bound port, IPv6 bracketed). */
import type { FastifyInstance } from 'fastify'

export async function listenOn(
  app: FastifyInstance,
  port: number,
  host: string,
  scheme = 'http',
): Promise<string> {
  await app.listen({ port, host })
  const address = app.server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${bound}`
}
