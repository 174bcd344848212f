/**
 * Where the NATS suite finds NATS. Not configured: one line, and under `CI=true` a failure, never
 * a silent skip (DESIGN.md "Tests").
 */
export function natsUrl(): string | undefined {
  const url = process.env['PAYLINK_TEST_NATS_URL']
  if (url !== undefined && url !== '') return url
  const line = 'NATS suite: PAYLINK_TEST_NATS_URL is not set (CI sets nats://127.0.0.1:4222)'
  if (process.env['CI'] === 'true') throw new Error(line)
  console.warn(`${line}; skipped`)
  return undefined
}
