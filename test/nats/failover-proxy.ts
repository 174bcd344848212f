/**
 * The load balancer of the cluster test: a loopback TCP proxy that sends each new connection to
 * the first of its targets that accepts it. While instance A is up everything goes to A; once A is
 * gone its connections drop and the clients' reconnections land on B. It counts connections per
 * target, so a test can tell where the merchant's socket went, and can refuse every connection for
 * a while (a load balancer with no healthy instance yet).
 */
import { connect, createServer, type Socket } from 'node:net'

export interface FailoverProxy {
  port: number
  /** Connections forwarded to each target, in target order. */
  counts: number[]
  /** While true, new connections are closed at once. */
  refusing: boolean
  close(): Promise<void>
}

export async function failoverProxy(targets: readonly number[]): Promise<FailoverProxy> {
  const counts = targets.map(() => 0)
  const open = new Set<Socket>()
  const server = createServer((client) => {
    if (proxy.refusing) return void client.destroy()
    open.add(client)
    client.on('close', () => open.delete(client))
    client.on('error', () => client.destroy())
    forward(client, 0)
  })
  const forward = (client: Socket, i: number): void => {
    const port = targets[i]
    if (port === undefined || client.destroyed) return void client.destroy()
    const upstream = connect(port, '127.0.0.1')
    let connected = false
    upstream.once('connect', () => {
      connected = true
      counts[i] = (counts[i] ?? 0) + 1
      open.add(upstream)
      client.pipe(upstream)
      upstream.pipe(client)
    })
    upstream.on('error', () => {
      if (!connected) return forward(client, i + 1)
      client.destroy()
    })
    upstream.on('close', () => {
      open.delete(upstream)
      if (connected) client.destroy()
    })
    client.on('close', () => upstream.destroy())
  }
  const proxy: FailoverProxy = {
    port: 0,
    counts,
    refusing: false,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy()
        server.close(() => resolve())
      }),
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  proxy.port = typeof address === 'object' && address !== null ? address.port : 0
  return proxy
}
