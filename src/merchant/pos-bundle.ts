/**
 * The pages' scripts (DESIGN.md `web/`): `web/{page}.ts` bundled for the browser with esbuild,
 * once per process, in memory, when the merchant starts listening (or on the first request), so
 * running the merchant needs no build step. `npm run build` bundles the same entries ahead of time into `web/dist/`; a bundle there
 * is served when it is newer than every file under `web/` and `src/` it could have come from.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PaylinkError } from '../core/errors.ts'

/** The repository's `web/` folder. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url))
const SRC_DIR = fileURLToPath(new URL('../', import.meta.url))

/** The pages with a script. */
export const PAGES = ['pos', 'wallet'] as const
export type Page = (typeof PAGES)[number]

/** esbuild options shared by the server and `npm run build` (see `web/build.ts`). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'silent',
} as const

const bundles = new Map<Page, Promise<string>>()

/** The script of `page`, bundled once and cached for the life of the process. */
export function pageScript(page: Page): Promise<string> {
  let bundle = bundles.get(page)
  if (bundle === undefined) {
    bundle = load(page)
    bundles.set(page, bundle)
    // A failed build is tried again on the next request rather than cached.
    bundle.catch(() => bundles.delete(page))
  }
  return bundle
}

/** Starts bundling every page in the background; a failure is left for the page's request to report. */
export function warmPages(): void {
  for (const page of PAGES) pageScript(page).catch(() => undefined)
}

const files = new Map<string, string>()

/** A static file of `web/` (html, css), read once per process. */
export function webFile(name: string): string {
  let text = files.get(name)
  if (text === undefined) {
    text = readFileSync(join(WEB_DIR, name), 'utf8')
    files.set(name, text)
  }
  return text
}

async function load(page: Page): Promise<string> {
  const prebuilt = join(WEB_DIR, 'dist', `${page}.js`)
  if (isFresh(prebuilt)) return readFileSync(prebuilt, 'utf8')
  const { build } = await import('esbuild')
  try {
    const result = await build({
      ...BUNDLE_OPTIONS,
      entryPoints: [join(WEB_DIR, `${page}.ts`)],
      write: false,
    })
    const out = result.outputFiles[0]
    if (out === undefined) throw new Error('esbuild wrote nothing')
    return out.text
  } catch (err) {
    throw new PaylinkError('PL9001', `cannot bundle the ${page} page: ${(err as Error).message}`, {
      cause: err,
    })
  }
}

/** Whether `file` exists and is newer than every source under `web/` and `src/`. */
function isFresh(file: string): boolean {
  let built: number
  try {
    built = statSync(file).mtimeMs
  } catch {
    return false
  }
  return newest(WEB_DIR, ['dist']) <= built && newest(SRC_DIR, []) <= built
}

function newest(dir: string, skip: readonly string[]): number {
  let max = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue
    const path = join(dir, entry.name)
    const m = entry.isDirectory() ? newest(path, []) : statSync(path).mtimeMs
    if (m > max) max = m
  }
  return max
}
