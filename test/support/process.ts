/** Runs the real `paylink` command as a child process, for CLI and multi-process tests. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const PAYLINK_BIN = fileURLToPath(new URL('../../bin/paylink.js', import.meta.url))

/** Runs `paylink ...args` to completion. */
export function runPaylink(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PAYLINK_BIN, ...args], { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Starts a long-running `paylink ...args` and resolves once stdout matches `ready`. */
export function startPaylink(
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcessWithoutNullStreams; match: RegExpMatchArray; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PAYLINK_BIN, ...args], { env: { ...process.env, ...env } })
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`paylink ${args.join(' ')} not ready in 30 s:\n${out}`))
    }, 30_000)
    const onData = (d: Buffer): void => {
      out += d.toString()
      const match = out.match(ready)
      if (match !== null) {
        clearTimeout(timer)
        resolve({ child, match, output: () => out })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`paylink ${args.join(' ')} exited with ${code}:\n${out}`))
    })
  })
}

/** Sends SIGINT and waits for the exit code. */
export function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.on('exit', (code) => resolve(code))
    child.kill('SIGINT')
  })
}
