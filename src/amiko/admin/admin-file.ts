/**
 * `DIR/admin.json`: how CLI commands reach a running node's admin API, `{url, token}`. Written
 * with mode 0600 once the admin server listens (the token is a secret), removed on shutdown.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

/** What `admin.json` holds. */
export const adminFileSchema = z.object({ url: z.url(), token: z.string().min(1) })
export type AdminFile = z.infer<typeof adminFileSchema>

/** The path of the admin file in a node's directory. */
export function adminFilePath(dir: string): string {
  return join(dir, 'admin.json')
}

/** Writes `DIR/admin.json`, readable by its owner only. */
export function writeAdminFile(dir: string, admin: AdminFile): void {
  const path = adminFilePath(dir)
  writeFileSync(path, `${JSON.stringify(admin, null, 2)}\n`, { mode: 0o600 })
  chmodSync(path, 0o600) // `mode` applies only when the file is created
}

/** Reads `DIR/admin.json`: undefined when there is none, throws on a malformed one. */
export function readAdminFile(dir: string): AdminFile | undefined {
  let text: string
  try {
    text = readFileSync(adminFilePath(dir), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return adminFileSchema.parse(JSON.parse(text))
}

/** Removes `DIR/admin.json` if present. */
export function removeAdminFile(dir: string): void {
  rmSync(adminFilePath(dir), { force: true })
}
