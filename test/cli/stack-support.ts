/** Helpers of the `paylink up` and `paylink demo` tests: free ports for a whole stack, and starting it. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { freePort } from '../support/ports.ts'
import { PAYLINK_BIN } from '../support/process.ts'

/** `paylink up` flags naming free ports; the Amiko bases each start a run of four free ports. */
export async function stackPortFlags(): Promise<string[]> {
  const [devnet, relay, merchant] = [await freePort(), await freePort(), await freePort()]
  const amiko = await freeRun(4)
  const admin = await freeRun(4, [amiko, amiko + 1, amiko + 2, amiko + 3])
  return [
    ...['--devnet-port', String(devnet), '--relay-port', String(relay), '--merchant-port', String(merchant)],
    ...['--amiko-port', String(amiko), '--amiko-admin-port', String(admin)],
  ]
}

/**
 * The first of `n` consecutive free loopback ports, avoiding `taken`. A restart reuses the same
 * Amiko ports (the nodes redial each other at their stored addresses), so 0 would not do.
 */
async function freeRun(n: number, taken: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort()
    if (base + n > 65535) continue
    const ports = Array.from({ length: n }, (_, i) => base + i)
    if (ports.some((p) => taken.includes(p))) continue
    const held: Server[] = []
    try {
      for (const p of ports) held.push(await bind(p))
      return base
    } catch {
      // one of them is in use: try another base
    } finally {
      for (const s of held) await new Promise((r) => s.close(r))
    }
  }
  throw new Error(`no run of ${n} free ports found`)
}

function bind(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

/** Starts `paylink up` and resolves with its output once it prints its last ready line. */
export function startUp(
  args: string[],
  timeoutMs = 80_000,
): Promise<{ child: ChildProcessWithoutNullStreams; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PAYLINK_BIN, 'up', ...args], { env: { ...process.env } })
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`paylink up not ready in ${timeoutMs / 1000} s:\n${out}`))
    }, timeoutMs)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (/the next start reuses the data directory\.\n/.test(out)) {
        clearTimeout(timer)
        resolve({ child, output: out })
      }
    })
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`paylink up exited with ${code}:\n${out}`))
    })
  })
}

/** The service lines of `paylink up`'s summary: name → URL. */
export function serviceUrls(output: string): Map<string, string> {
  const urls = new Map<string, string>()
  for (const m of output.matchAll(/^ {2}(\S(?:.*?\S)?) {2,}(https?:\/\/\S+)/gm))
    urls.set(m[1] as string, m[2] as string)
  return urls
}
