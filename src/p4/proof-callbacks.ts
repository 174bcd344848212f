/**
 * `proofCallbacks` of a Payment (protocols-p4.md §5, paylink extension in §6):
 * `{"<url>": {"token": "<string>"}}`, at most 4 entries, each URL ≤ 2048 characters and `https`
 * (plain `http` only where §2 allows it), each token ≤ 512 characters.
 */
import { z } from 'zod'
import { text } from './field-rules.ts'
import { isTransportAllowed, parseUrl, type TransportOptions } from './loopback.ts'

/** Most callbacks one Payment may name. */
export const MAX_PROOF_CALLBACKS = 4

/** Longest callback URL. */
export const MAX_CALLBACK_URL = 2048

const callbackSchema = z.object({ token: text(512) })

/** One callback's credentials. */
export type ProofCallback = z.infer<typeof callbackSchema>

/** Callbacks by URL. */
export type ProofCallbacks = Record<string, ProofCallback>

/** Why a callback URL is refused, or undefined when it is acceptable. */
function urlProblem(key: string, options: TransportOptions): string | undefined {
  if (key.length > MAX_CALLBACK_URL) return `url must be at most ${MAX_CALLBACK_URL} characters`
  const url = parseUrl(key)
  if (url === undefined) return 'url is not an absolute URL'
  if (!isTransportAllowed(url, { secure: 'https:', insecure: 'http:' }, options)) {
    return 'url must be https (http only for loopback hosts)'
  }
  return undefined
}

/** The `proofCallbacks` object (null or absent = none), checked under `options`. */
export function proofCallbacksSchema(options: TransportOptions = {}) {
  return z
    .record(z.string(), callbackSchema)
    .superRefine((callbacks, ctx) => {
      const urls = Object.keys(callbacks)
      if (urls.length > MAX_PROOF_CALLBACKS) {
        ctx.addIssue({
          code: 'custom',
          message: `at most ${MAX_PROOF_CALLBACKS} callbacks`,
          input: callbacks,
        })
      }
      for (const url of urls) {
        const problem = urlProblem(url, options)
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [url], message: problem, input: url })
      }
    })
    .nullable()
    .optional()
}
