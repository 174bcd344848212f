/**
 * The parties both relay end-to-end suites (one relay, and a cluster over NATS) start the same
 * way, as real processes: a merchant with no listening port on the relay, and the wallet CLI's
 * proofs endpoint with a funded wallet (`wallet init` already run in the data directory).
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { expect } from 'vitest'
import { runPaylink, startPaylink } from './process.ts'

export interface RelayParties {
  /** The devnet's base URL (broadcaster and headers). */
  devnet: string
  /** The relay as the merchant reaches it. */
  relayUrl: string
  relayKey: string
  env: Record<string, string>
}

/**
 * Starts the merchant and `wallet serve` (added to `children`, for the caller to stop) and funds
 * the wallet; the wallet's proofs endpoint.
 */
export async function startMerchantAndWallet(
  o: RelayParties,
  children: ChildProcessWithoutNullStreams[],
): Promise<string> {
  const [merchant, served, funded] = await Promise.all([
    startPaylink(
      ['merchant', '--no-listen', '--arc', o.devnet, '--relay', o.relayUrl, '--relay-key', o.relayKey],
      /no listening port/,
      o.env,
    ),
    startPaylink(['wallet', 'serve', '--headers', o.devnet], /proofs endpoint on (http:\/\/\S+)/, o.env),
    runPaylink(['wallet', 'fund', '--devnet', o.devnet, '--satoshis', '100000'], o.env),
  ])
  children.push(merchant.child, served.child)
  expect(funded.code).toBe(0)
  return served.match[1] as string
}

/** `paylink merchant invoice` of 4000 satoshis in a relay model; its stderr too. */
export async function relayInvoice(
  o: RelayParties,
  model: 'websocket' | 'hybrid',
): Promise<{ id: string; bitcoinUri: string; stderr: string }> {
  const made = await runPaylink(
    [
      ...['merchant', 'invoice', '--amount', '4000', '--model', model, '--json'],
      ...['--relay', o.relayUrl, '--relay-key', o.relayKey],
    ],
    o.env,
  )
  expect(made.code).toBe(0)
  return { ...(JSON.parse(made.stdout) as { id: string; bitcoinUri: string }), stderr: made.stderr }
}
