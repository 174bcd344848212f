/**
 * Which plain-text URLs may be used (protocols-p4.md §2 "Transport choice", §5 `proofCallbacks`):
 * `http`/`ws` only for loopback hosts (127.0.0.0/8, `localhost`, `[::1]`) or when the user
 * allows insecure transports. BIP270 authenticates payment hosts by TLS alone.
 */

const IPV4_LOOPBACK = /^127\.(?:\d{1,3})\.(?:\d{1,3})\.(?:\d{1,3})$/

/** Whether `hostname` (as `URL.hostname` gives it, IPv6 in brackets) is a loopback host. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  if (host === 'localhost' || host === '[::1]') return true
  return IPV4_LOOPBACK.test(host) && host.split('.').every((part) => Number(part) <= 255)
}

/** Options of the URL checks. */
export interface TransportOptions {
  /** `--allow-insecure`: accept `http`/`ws` for any host. */
  allowInsecure?: boolean
}

/**
 * Whether `url` may be used with a secure scheme `secure` (`https:` or `wss:`) or its plain
 * counterpart `insecure`, which needs a loopback host or `allowInsecure`.
 */
export function isTransportAllowed(
  url: URL,
  schemes: { secure: string; insecure: string },
  options: TransportOptions = {},
): boolean {
  if (url.protocol === schemes.secure) return true
  if (url.protocol !== schemes.insecure) return false
  return options.allowInsecure === true || isLoopbackHost(url.hostname)
}

/** Parses `text` as an absolute URL, or returns undefined. */
export function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}
