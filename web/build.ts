/**
 * `npm run build`: bundles the pages' scripts ahead of time into `web/dist/`, with the options
 * the merchant uses when it bundles them itself (`src/merchant/pos-bundle.ts`).
 */
import { join } from 'node:path'
import { build } from 'esbuild'
import { BUNDLE_OPTIONS, PAGES, WEB_DIR } from '../src/merchant/pos-bundle.ts'

await build({
  ...BUNDLE_OPTIONS,
  logLevel: 'info',
  entryPoints: PAGES.map((page) => join(WEB_DIR, `${page}.ts`)),
  outdir: join(WEB_DIR, 'dist'),
})
