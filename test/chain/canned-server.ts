/**
 * A loopback HTTP server answering canned bodies, for the answers a real devnet never gives
 * (ARC's REJECTED with 200, QUEUED, 401, 5xx, 409; mAPI's retryable failures; time-outs). It
 * records every request. `'hang'` never answers, until the server closes.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CannedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export type CannedAnswer = { status: number; body?: unknown } | 'hang'

export interface CannedServer {
  url: string
  requests: CannedRequest[]
  close(): Promise<void>
}

export async function startCannedServer(answer: (req: CannedRequest) => CannedAnswer): Promise<CannedServer> {
  const requests: CannedRequest[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    req.on('end', () => {
      const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body }
      requests.push(recorded)
      const canned = answer(recorded)
      if (canned === 'hang') return
      const text = canned.body === undefined ? '' : JSON.stringify(canned.body)
      res.writeHead(canned.status, { 'content-type': 'application/json' }).end(text)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A loopback URL where nothing listens: a port that was free a moment ago. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
