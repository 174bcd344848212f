/**
 * A callback receiver on a loopback port: records the JSON bodies POSTed to it. While `up` is
 * false it answers 503 (the receiver is down) and only counts the attempt.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CallbackReceiver {
  url: string
  up: boolean
  /** Attempts answered 503 while down. */
  refused: number
  /** Bodies accepted while up, in arrival order. */
  delivered: Record<string, unknown>[]
  close(): Promise<void>
}

export async function startCallbackReceiver(opts: { up?: boolean } = {}): Promise<CallbackReceiver> {
  const server: Server = createServer()
  const receiver: CallbackReceiver = {
    url: '',
    up: opts.up ?? true,
    refused: 0,
    delivered: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  server.on('request', (req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    req.on('end', () => {
      if (receiver.up) receiver.delivered.push(JSON.parse(body) as Record<string, unknown>)
      else receiver.refused += 1
      res.writeHead(receiver.up ? 200 : 503).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`
  return receiver
}

/** Resolves once `condition` holds; throws after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
