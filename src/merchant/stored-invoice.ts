/**
 * Creating an invoice straight in a merchant's store, without its HTTP API (`paylink merchant
 * invoice`), for a merchant that runs with no listening port. A relay invoice's channel is opened
 * here; the running merchant notices it in the store and joins it, and this waits until the relay
 * reports the merchant connected, so the URI printed can be paid at once.
 */
import { type Clock, systemClock } from '../core/clock.ts'
import type { Store } from '../store/index.ts'
import type { InvoiceView } from './invoice-view.ts'
import { type CreateInvoice, type InvoiceRelay, Invoices } from './invoices.ts'
import { loadMasterKey } from './merchant-keys.ts'
import { RelayChannels } from './relay-channels.ts'

export interface StoredInvoiceOptions {
  spvRequired: boolean
  relayUrl?: string
  relayKey?: string
  /** How long to wait for the merchant to join the new channel (ms); default 10 s. */
  joinWaitMs?: number
  clock?: Clock
}

/** The invoice, and whether a running merchant has joined its channel (always true for none). */
export async function createStoredInvoice(
  store: Store,
  body: CreateInvoice,
  o: StoredInvoiceOptions,
): Promise<{ invoice: InvoiceView; merchantJoined: boolean }> {
  const clock = o.clock ?? systemClock
  let merchantJoined = true
  const channels =
    o.relayUrl === undefined
      ? undefined
      : new RelayChannels({ store, clock, relayUrl: o.relayUrl, relayKey: o.relayKey ?? '' })
  const relay: InvoiceRelay | undefined = channels && {
    create: (id, model, expiresAt) => channels.create(id, model, expiresAt),
    join: async (id) => {
      const channel = await channels.of(id)
      if (channel !== undefined)
        merchantJoined = await channels.awaitMerchant(channel, o.joinWaitMs ?? 10_000)
    },
    cancel: async () => undefined,
  }
  const invoices = new Invoices({
    store,
    clock,
    masterKey: await loadMasterKey(store),
    publicUrl: undefined,
    spvRequiredByDefault: o.spvRequired,
    ...(relay === undefined ? {} : { relay }),
  })
  const invoice = await invoices.create(body)
  return { invoice, merchantJoined }
}
