/**
 * Debian's chromium driven by playwright-core, for the browser suite (DESIGN.md "Tests"): the
 * binary from `PAYLINK_TEST_CHROMIUM`, else `/usr/bin/chromium`; headless, no network services
 * of its own, a fresh profile per launch. When there is none the suite says so in one line, and
 * under `CI=true` that is a failure, never a silent skip. Screenshots go to
 * `test-artifacts/browser/`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium, type Page } from 'playwright-core'

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url))

/** The chromium binary, or undefined (after saying why) when there is none. */
export function chromiumPath(): string | undefined {
  const path = process.env['PAYLINK_TEST_CHROMIUM'] || '/usr/bin/chromium'
  if (existsSync(path)) return path
  const line = `browser suite: no chromium at ${path} (set PAYLINK_TEST_CHROMIUM; .ci/run installs Debian's chromium)`
  if (process.env['CI'] === 'true') throw new Error(line)
  console.warn(`${line}; skipped`)
  return undefined
}

export interface RunningBrowser {
  /** The one context of the fresh profile: pages in it share local storage, as tabs do. */
  context: BrowserContext
  close(): Promise<void>
}

export async function launch(executablePath: string): Promise<RunningBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'paylink-chromium-'))
  // playwright takes the fresh profile directory itself (it refuses `--user-data-dir` in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Saves a full-page screenshot as `test-artifacts/browser/{name}.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
}

/**
 * Adds to `errors`, as they happen, whatever the pages log as an error or throw, so that a test
 * ending with `expect(errors).toEqual([])` fails with what a broken page said.
 */
export function collectPageErrors(errors: string[], ...pages: Page[]): void {
  for (const page of pages) {
    page.on('pageerror', (err) => errors.push(`${page.url()}: ${err.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`)
    })
  }
}
