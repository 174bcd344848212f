/**
 * The whole local stack in one process on loopback (`paylink up`, and `paylink demo` when no
 * stack runs): the devnet mining every few seconds, a relay, a merchant using the relay and the
 * devnet's ARC and headers, a demo wallet funded from the faucet, and the Amiko network of
 * `stack-amiko.ts`, the merchant's payee node among them. Everything is kept in one data
 * directory and reused by the next start. `close` stops it all in reverse order.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { randomToken } from '../core/ids.ts'
import { Devnet, type DevnetUrls } from '../devnet/index.ts'
import { Merchant } from '../merchant/merchant.ts'
import { Relay } from '../relay/index.ts'
import { openStore, type Store } from '../store/index.ts'
import { Wallet } from '../wallet/index.ts'
import { cliLogger } from './logger.ts'
import { type AmikoNetwork, startAmikoNetwork } from './stack-amiko.ts'
import type { StackFile } from './stack-file.ts'

/** A block every 5 s while transactions wait. */
export const BLOCK_INTERVAL = 5
/** The demo wallet is topped up to `WALLET_FUNDING` when it holds less than `WALLET_LOW`. */
export const WALLET_FUNDING = 100_000
export const WALLET_LOW = 20_000

/** Ports of the stack; 0 = any free port (for the Amiko bases: four free ports). */
export interface StackPorts {
  devnet: number
  relay: number
  merchant: number
  /** Amiko nodes listen on `amiko`…`amiko + 3`, their admin APIs on `amikoAdmin`…`amikoAdmin + 3`. */
  amiko: number
  amikoAdmin: number
}

export const DEFAULT_PORTS: StackPorts = {
  devnet: 9090,
  relay: 8445,
  merchant: 8443,
  amiko: 4321,
  amikoAdmin: 4400,
}

export interface Stack {
  dir: string
  devnet: Devnet
  devnetUrls: DevnetUrls
  relayUrl: string
  merchant: Merchant
  merchantUrl: string
  adminKey: string
  wallet: { path: string; address: string; available: number }
  amiko: AmikoNetwork
  /** What `stack.json` records of this stack. */
  describe(): StackFile
  close(): Promise<void>
}

/** Starts the stack in `dir`; `progress` hears one line per slow step. */
export async function startStack(
  dir: string,
  ports: StackPorts,
  progress: (line: string) => void = () => undefined,
): Promise<Stack> {
  mkdirSync(dir, { recursive: true })
  const closers: (() => Promise<void>)[] = []
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) await c()
  }
  const opened = async (file: string): Promise<Store> => {
    const store = await openStore(join(dir, file))
    closers.push(() => store.close())
    return store
  }
  try {
    progress('starting the devnet')
    const devnet = await Devnet.open({
      store: await opened('devnet.db'),
      blockInterval: BLOCK_INTERVAL,
      logger: cliLogger('devnet'),
    })
    closers.push(() => devnet.close())
    const devnetUrls = await devnet.listen(ports.devnet)

    progress('starting the relay')
    const relayUrl = `http://127.0.0.1:${await portOrFree(ports.relay)}`
    const relayKey = secretFile(dir, 'relay-merchant-key')
    const relay = await Relay.open({
      store: await opened('relay.db'),
      publicUrl: relayUrl,
      merchantKeys: [relayKey],
      logger: cliLogger('relay'),
    })
    closers.push(() => relay.close())
    await relay.listen(Number(new URL(relayUrl).port))

    progress('starting the Amiko network')
    const amiko = await startAmikoNetwork(
      dir,
      { basePort: ports.amiko, adminBasePort: ports.amikoAdmin },
      progress,
    )
    closers.push(() => amiko.close())

    progress('starting the merchant')
    const merchantUrl = `http://127.0.0.1:${await portOrFree(ports.merchant)}`
    const adminKey = secretFile(dir, 'merchant-admin-key')
    const merchant = await Merchant.open({
      store: await opened('merchant.db'),
      broadcasterUrl: devnetUrls.arc,
      headersUrl: devnetUrls.headers,
      publicUrl: merchantUrl,
      apiKey: adminKey,
      relayUrl,
      relayKey,
      // Its payee node: the POS page's Amiko requests.
      amiko: amiko.nodes.shop.node,
      // The browser wallet page funds itself from this devnet's faucet.
      devnetUrl: devnetUrls.base,
      logger: cliLogger('merchant'),
    })
    closers.push(() => merchant.close())
    await merchant.listen(Number(new URL(merchantUrl).port))

    const wallet = await demoWallet(dir, devnetUrls.base, progress)
    const describe = (): StackFile => ({
      pid: process.pid,
      dir,
      devnet: devnetUrls.base,
      relay: relayUrl,
      merchant: merchantUrl,
      adminKey,
      nodes: Object.fromEntries(
        Object.values(amiko.nodes).map((n) => [
          n.name,
          { dir: n.dir, admin: n.admin.url, address: `${n.address.host}:${n.address.port}` },
        ]),
      ),
    })
    return {
      dir,
      devnet,
      devnetUrls,
      relayUrl,
      merchant,
      merchantUrl,
      adminKey,
      wallet,
      amiko,
      describe,
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}

/** The demo wallet `DIR/wallet.db` (the `paylink wallet` default), topped up from the faucet when low. */
async function demoWallet(
  dir: string,
  devnetUrl: string,
  progress: (line: string) => void,
): Promise<Stack['wallet']> {
  const path = join(dir, 'wallet.db')
  const store = await openStore(path)
  try {
    const wallet = await Wallet.open({ store })
    let { available } = await wallet.balance()
    if (available < WALLET_LOW) {
      progress(`funding the demo wallet with ${WALLET_FUNDING} satoshis from the faucet`)
      await wallet.fundFromDevnet(devnetUrl, WALLET_FUNDING)
      available = (await wallet.balance()).available
    }
    return { path, address: await wallet.address(), available }
  } finally {
    // The stack itself never pays: the store is for `paylink wallet` and `paylink demo`.
    await store.close()
  }
}

/** A secret kept in clear in the data directory (mode 0600): a local stack prints it on every start. */
function secretFile(dir: string, name: string): string {
  const file = join(dir, name)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = randomToken()
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  return secret
}

/**
 * `port`, or for 0 a free one: the relay's and the merchant's public URLs name their port
 * before they listen.
 */
function portOrFree(port: number): Promise<number> {
  if (port !== 0) return Promise.resolve(port)
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const free = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(free))
    })
  })
}
