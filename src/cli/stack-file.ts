/**
 * `DIR/stack.json`: where a running `paylink up` is, so that `paylink demo` (and anyone else)
 * can use it. Written (mode 0600: it holds the admin key) once every service answers, removed on
 * shutdown; a file left by a killed stack is told apart by its process no longer running.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

export const stackFileSchema = z.object({
  pid: z.number().int().positive(),
  /** The data directory (the demo wallet is its `wallet.db`). */
  dir: z.string(),
  devnet: z.url(),
  relay: z.url(),
  merchant: z.url(),
  adminKey: z.string().min(1),
  /** Amiko node name → its directory (with `admin.json`) and Amiko listen address. */
  nodes: z.record(z.string(), z.object({ dir: z.string(), admin: z.url(), address: z.string() })),
})
export type StackFile = z.infer<typeof stackFileSchema>

export function stackFilePath(dir: string): string {
  return join(dir, 'stack.json')
}

export function writeStackFile(dir: string, stack: StackFile): void {
  const path = stackFilePath(dir)
  writeFileSync(path, `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o600 })
  chmodSync(path, 0o600) // `mode` applies only when the file is created
}

/** The stack file of a `paylink up` still running in `dir`, else undefined. */
export function readLiveStackFile(dir: string): StackFile | undefined {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(stackFilePath(dir), 'utf8'))
  } catch {
    return undefined // none, or half written by a stack killed at that moment
  }
  const parsed = stackFileSchema.safeParse(json)
  if (!parsed.success || !processRuns(parsed.data.pid)) return undefined
  return parsed.data
}

export function removeStackFile(dir: string): void {
  rmSync(stackFilePath(dir), { force: true })
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it runs, as someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
