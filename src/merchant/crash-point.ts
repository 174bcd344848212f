/**
 * Crash points for the crash-safety tests (DESIGN.md reliability targets: "`kill -9` of the
 * merchant at each step of a payment"). With `PAYLINK_FAULT=<step>` in its environment the
 * process kills itself with SIGKILL when it reaches that step, exactly as `kill -9` would; without
 * it these are no-ops. The steps follow a payment through the merchant.
 */
export type CrashStep =
  | 'payment-received'
  | 'validated'
  | 'stored'
  | 'broadcast'
  | 'ack-sent'
  | 'proof-received'

export function crashPoint(step: CrashStep): void {
  if (process.env['PAYLINK_FAULT'] === step) process.kill(process.pid, 'SIGKILL')
}
