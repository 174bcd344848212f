/** Reads one invoice row; an unknown id is 404 `PL1010` (legacy code `N00001`). */
import { PaylinkError } from '../core/errors.ts'
import type { Store } from '../store/index.ts'
import type { MerchantInvoicesTable } from '../store/schema.ts'

export async function loadInvoice(store: Store, id: string): Promise<MerchantInvoicesTable> {
  const row = await store.db
    .selectFrom('merchant_invoices')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (row === undefined) throw new PaylinkError('PL1010', `invoice ${id} not found`)
  return row
}
