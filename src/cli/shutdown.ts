/**
 * Runs `stop` once on Ctrl-C or SIGTERM, then exits; a second signal exits at once. Servers call it
 * before printing that they are ready: a signal sent on reading that line must find the handler.
 */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130)
    stopping = true
    process.stdout.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping…\n`)
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`paylink: error while stopping: ${(err as Error).message}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
}
