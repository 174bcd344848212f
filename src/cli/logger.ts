/** The CLI's logger: pino JSON lines on stderr, at `PAYLINK_LOG_LEVEL` (default `warn`). */
import { type Logger, pino } from 'pino'

export function cliLogger(name: string): Logger {
  return pino({ name, level: process.env['PAYLINK_LOG_LEVEL'] ?? 'warn' }, pino.destination(2))
}
