/**
 * @bsv/sdk's own ARC broadcaster and BlockHeadersService chain tracker against a running devnet:
 * fund a key from the faucet, pay someone, mine, and check the merkle proof against the headers.
 * Run with `npx tsx examples/devnet-sdk.ts [devnet URL]` while `npm start` (or `paylink devnet`) runs.
 */
import {
  ARC,
  BlockHeadersService,
  MerklePath,
  P2PKH,
  PrivateKey,
  SatoshisPerKilobyte,
  Transaction,
} from '@bsv/sdk'

const devnet = process.argv[2] ?? 'http://127.0.0.1:9090'

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${devnet}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return (await res.json()) as Record<string, unknown>
}

const key = PrivateKey.fromRandom()
const funding = await post('/devnet/faucet', { address: key.toAddress(), satoshis: 10_000 })
const source = Transaction.fromHexBEEF(funding['beef'] as string)
console.log(`faucet paid ${funding['satoshis']} sat in ${funding['txid']}`)

const tx = new Transaction()
tx.addInput({
  sourceTransaction: source,
  sourceOutputIndex: 0,
  unlockingScriptTemplate: new P2PKH().unlock(key),
})
tx.addOutput({ satoshis: 7_000, lockingScript: new P2PKH().lock(PrivateKey.fromRandom().toAddress()) })
tx.addOutput({ change: true, lockingScript: new P2PKH().lock(key.toAddress()) })
// The devnet's rate (GET /v1/policy: 1 sat per 1000 bytes); never the SDK's default, which asks a public ARC.
await tx.fee(new SatoshisPerKilobyte(1))
await tx.sign()

const result = await tx.broadcast(new ARC(devnet))
console.log(`ARC broadcast: ${result.status} ${result.txid}`)

const block = await post('/devnet/mine', { blocks: 1 })
console.log(`mined block ${block['height']}`)

const status = (await (await fetch(`${devnet}/v1/tx/${tx.id('hex')}`)).json()) as Record<string, unknown>
const path = MerklePath.fromHex(status['merklePath'] as string)
const verified = await path.verify(tx.id('hex'), new BlockHeadersService(devnet))
console.log(
  `txStatus ${status['txStatus']} at height ${status['blockHeight']}; merkle path verifies: ${verified}`,
)
