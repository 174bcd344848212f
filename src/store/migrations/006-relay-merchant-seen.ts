/**
 * When a merchant connection was last seen on a relay channel (PROTOCOLS.md P4 §14.2: customers
 * may join while the merchant is connected or was within the last 60 s), so a restarted relay
 * still admits them. Null until a merchant first joins.
 */
import type { Kysely, Migration } from 'kysely'

export const relaySeen006: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('relay_channels').addColumn('merchant_seen_at', 'bigint').execute()
  },
}
