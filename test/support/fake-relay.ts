/**
 * A tiny in-test relay (PROTOCOLS.md P4 §14.1, §14.2, §14.4): creates channels for one merchant
 * key, joins sockets by role and token, sends `join.success`, forwards customer messages to the
 * merchant (queued while it is away) and merchant messages to the customers. Enough to test the
 * merchant's relay client and the wallet's websocket payer without `paylink relay`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer } from 'ws'
import { randomId, randomToken } from '../../src/core/ids.ts'
import { Merchant } from '../../src/merchant/merchant.ts'
import { type Envelope, envelope, parseEnvelope, ROLE_MAY_SEND } from '../../src/p4/relay-envelope.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { type RunningDevnet, startDevnet, tempDb } from './devnet.ts'
import { API_KEY } from './merchant.ts'

interface FakeChannel {
  id: string
  merchantToken: string
  customerToken: string
  merchant: WebSocket | undefined
  customers: Set<WebSocket>
  queue: string[]
  merchantJoins: number
}

export interface FakeRelay {
  url: string
  key: string
  channels: Map<string, FakeChannel>
  /** Every envelope a customer or the merchant sent, in order. */
  seen: Array<{ from: 'merchant' | 'customer'; message: Envelope }>
  /** Cuts the merchant's socket of a channel (as a network drop would). */
  dropMerchant(channelId: string): void
  close(): Promise<void>
}

export async function startFakeRelay(key = 'relay-merchant-key'): Promise<FakeRelay> {
  const channels = new Map<string, FakeChannel>()
  const seen: FakeRelay['seen'] = []
  const wss = new WebSocketServer({ noServer: true })
  let base = ''
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/v1/channels') return void res.writeHead(404).end()
    if (req.headers.authorization !== `Bearer ${key}`) return void res.writeHead(401).end()
    const channel: FakeChannel = {
      id: randomId(),
      merchantToken: randomToken(),
      customerToken: randomToken(),
      merchant: undefined,
      customers: new Set(),
      queue: [],
      merchantJoins: 0,
    }
    channels.set(channel.id, channel)
    res.writeHead(201, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        channelId: channel.id,
        merchantToken: channel.merchantToken,
        customerToken: channel.customerToken,
        proofToken: randomToken(),
        expiresAt: new Date(Date.now() + 7_200_000).toISOString(),
        paymentUrl: `http://${base}/api/v1/payment/${channel.id}`,
        wsUrl: `ws://${base}/ws/${channel.id}`,
      }),
    )
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://relay')
    const channel = channels.get(/^\/ws\/([^/]+)$/.exec(url.pathname)?.[1] ?? '')
    const token = url.searchParams.get('token')
    const merchant = url.searchParams.get('internal') === 'true'
    const refuse = (status: number): void => {
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
    }
    if (channel === undefined) return refuse(404)
    if (token === null) return refuse(401)
    if (token !== (merchant ? channel.merchantToken : channel.customerToken)) return refuse(403)
    wss.handleUpgrade(req, socket, head, (ws) => joined(channel, ws, merchant))
  })

  function joined(channel: FakeChannel, ws: WebSocket, merchant: boolean): void {
    const join = envelope({ type: 'join.success', channelId: channel.id, appId: 'p4' })
    ws.send(JSON.stringify({ ...join, headers: { 'X-Channel-Expires': [join.timestamp] } }))
    if (merchant) {
      channel.merchant?.close(4000, 'replaced')
      channel.merchant = ws
      channel.merchantJoins++
      for (const frame of channel.queue.splice(0)) ws.send(frame)
    } else {
      channel.customers.add(ws)
    }
    ws.on('close', () => {
      if (channel.merchant === ws) channel.merchant = undefined
      channel.customers.delete(ws)
    })
    ws.on('message', (data) => forward(channel, merchant, data.toString()))
  }

  function forward(channel: FakeChannel, merchant: boolean, text: string): void {
    const message = parseEnvelope(JSON.parse(text))
    if (message === undefined) return
    const role = merchant ? 'merchant' : 'customer'
    seen.push({ from: role, message })
    if (!(ROLE_MAY_SEND[role] as readonly string[]).includes(message.type)) return
    const frame = JSON.stringify({ ...message, clientID: 'fake', channelId: channel.id })
    if (merchant) for (const c of channel.customers) c.send(frame)
    else if (channel.merchant?.readyState === WebSocket.OPEN) channel.merchant.send(frame)
    else channel.queue.push(frame)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  base = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  return {
    url: `http://${base}`,
    key,
    channels,
    seen,
    dropMerchant(channelId) {
      channels.get(channelId)?.merchant?.terminate()
    },
    async close() {
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A merchant on a devnet with a relay configured, never listening: it only connects out. */
export interface RelayShop {
  net: RunningDevnet
  relay: FakeRelay
  merchant: Merchant
  store: Store
  /** Opens the merchant again on the same store (a restart), running `whileDown` in between. */
  restart(whileDown?: () => Promise<void>): Promise<Merchant>
  close(): Promise<void>
}

export async function startRelayShop(): Promise<RelayShop> {
  const net = await startDevnet()
  const relay = await startFakeRelay()
  const store = await openStore(tempDb('merchant'))
  const open = () =>
    Merchant.open({
      store,
      broadcasterUrl: net.urls.arc,
      headersUrl: net.urls.headers,
      apiKey: API_KEY,
      allowInsecure: true,
      publicUrl: 'http://127.0.0.1:9',
      relayUrl: relay.url,
      relayKey: relay.key,
      relayRetryMs: 50,
    })
  const shop: RelayShop = {
    net,
    relay,
    store,
    merchant: await open(),
    async restart(whileDown) {
      await shop.merchant.close()
      await whileDown?.()
      shop.merchant = await open()
      return shop.merchant
    },
    async close() {
      await shop.merchant.close()
      await store.close()
      await relay.close()
      await net.close()
    },
  }
  return shop
}
