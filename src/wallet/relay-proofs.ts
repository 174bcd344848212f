/**
 * Proofs over the relay (PROTOCOLS.md P4 §13, model 3): the relay publishes `proof.create` to
 * every party of a channel and keeps it queued for an absent one until the channel expires, even
 * after the merchant has closed it (§14.5). So for each acked payment made over a channel and still
 * without a proof, the wallet rejoins that channel with the URI it paid, takes the queued
 * `proof.create`, and stores the proof once it verifies against the headers.
 */
import type { HeaderSource } from '../chain/headers-client.ts'
import { readCallback, verifyProof } from '../chain/proof-callback.ts'
import type { Clock } from '../core/clock.ts'
import { isPaylinkError } from '../core/errors.ts'
import { parsePaymentUri } from '../p4/uri.ts'
import type { Store } from '../store/index.ts'
import { type ProofRecord, storeProof } from './proofs.ts'
import { WsChannel } from './ws-channel.ts'

/** How long a rejoined channel is given to hand over a queued proof. */
const WAIT_MS = 2000

export async function collectRelayProofs(
  store: Store,
  clock: Clock,
  headers: HeaderSource,
  o: { allowInsecure: boolean; waitMs?: number },
): Promise<ProofRecord[]> {
  const waiting = await store.db
    .selectFrom('wallet_payments')
    .leftJoin('wallet_proofs', 'wallet_proofs.txid', 'wallet_payments.txid')
    .select(['wallet_payments.id', 'wallet_payments.txid', 'wallet_payments.uri'])
    .where('wallet_payments.state', '=', 'acked')
    .where('wallet_proofs.txid', 'is', null)
    .execute()
  const stored: ProofRecord[] = []
  for (const { id, txid, uri } of waiting) {
    if (txid === null) continue
    const parsed = parsePaymentUri(uri, { allowInsecure: o.allowInsecure })
    if (parsed.transport !== 'websocket') continue
    const joined = await WsChannel.join(parsed.url, parsed.channelId ?? '', o.waitMs ?? WAIT_MS)
    // A channel gone (expired, or closed with nothing queued for us) has no proof to give.
    if (joined.kind !== 'joined') continue
    try {
      const proof = await proofFrom(joined.channel, txid, headers, o.waitMs ?? WAIT_MS)
      if (proof !== undefined)
        stored.push(await storeProof(store, clock, { txid, paymentId: id, proof, source: 'relay' }))
    } finally {
      joined.channel.close()
    }
  }
  return stored
}

/** The first `proof.create` for `txid` that verifies; others are skipped (a wrong proof is not ours). */
async function proofFrom(channel: WsChannel, txid: string, headers: HeaderSource, waitMs: number) {
  for (;;) {
    const message = await channel.next(['proof.create'], waitMs)
    if (message === undefined) return undefined
    for (const event of safeRead(message.body)) {
      if (event.kind !== 'proof' || event.txid !== txid) continue
      try {
        return await verifyProof(event, txid, headers)
      } catch (err) {
        if (!isPaylinkError(err, 'PL6004') && !isPaylinkError(err, 'PL6003')) throw err
      }
    }
  }
}

function safeRead(body: unknown): ReturnType<typeof readCallback> {
  try {
    return readCallback(body)
  } catch {
    return []
  }
}
