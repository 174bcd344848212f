/**
 * Configuration from flags, then environment, then defaults (DESIGN.md). A spec names each
 * setting's environment variable, default and parser; `resolveConfig` applies the precedence
 * and reports every bad value with `PL8001`.
 */
import { PaylinkError } from './errors.ts'

/** How one setting is found and parsed. */
export interface Setting<T> {
  /** Environment variable consulted when the flag is absent (e.g. `PAYLINK_DEVNET_PORT`). */
  env?: string
  default: T
  parse: (raw: string) => T
}

export type Spec = Record<string, Setting<unknown>>
export type Resolved<S extends Spec> = { [K in keyof S]: S[K]['default'] }

/**
 * Resolves every setting of `spec`. `flags` holds values given on the command line (strings or
 * already-typed values from commander); `env` is usually `process.env`.
 */
export function resolveConfig<S extends Spec>(
  spec: S,
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
): Resolved<S> {
  const out: Record<string, unknown> = {}
  for (const [key, setting] of Object.entries(spec)) {
    const flag = flags[key]
    const fromEnv = setting.env === undefined ? undefined : env[setting.env]
    const raw = flag ?? (fromEnv === '' ? undefined : fromEnv)
    try {
      out[key] = raw === undefined ? setting.default : typeof raw === 'string' ? setting.parse(raw) : raw
    } catch (cause) {
      const source = flag !== undefined ? `--${kebab(key)}` : (setting.env as string)
      throw new PaylinkError('PL8001', `invalid ${source}: ${(cause as Error).message}`, { cause })
    }
  }
  return out as Resolved<S>
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/** Parsers for common setting types. */
export const parse = {
  string: (raw: string): string => raw,
  port(raw: string): number {
    const n = Number(raw)
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`"${raw}" is not a port`)
    return n
  },
  positiveInt(raw: string): number {
    const n = Number(raw)
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`"${raw}" is not a positive integer`)
    return n
  },
  nonNegativeInt(raw: string): number {
    const n = Number(raw)
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`"${raw}" is not a non-negative integer`)
    return n
  },
  nonNegativeNumber(raw: string): number {
    const n = Number(raw)
    if (!Number.isFinite(n) || n < 0) throw new Error(`"${raw}" is not a non-negative number`)
    return n
  },
  boolean(raw: string): boolean {
    if (/^(1|true|yes|on)$/i.test(raw)) return true
    if (/^(0|false|no|off)$/i.test(raw)) return false
    throw new Error(`"${raw}" is not a boolean`)
  },
}
