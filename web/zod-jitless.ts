/**
 * Imported first by the pages that bundle the protocol code: zod, unless told `jitless`, probes
 * `new Function` when a schema is built (at module load), and chromium reports the probe the
 * pages' content security policy refuses as an error even though zod handles the refusal.
 */
import { config } from 'zod'

config({ jitless: true })
