/** The relay's public URLs for a channel (PROTOCOLS.md P4 §14.1, defect D18: the configured origin). */

/** `{publicUrl}/api/v1/payment/{channelId}`. */
export function paymentUrlOf(publicUrl: string, channelId: string): string {
  return `${publicUrl}/api/v1/payment/${channelId}`
}

/** `ws(s)://{relay}/ws/{channelId}`: the public origin with its scheme swapped. */
export function wsUrlOf(publicUrl: string, channelId: string): string {
  return `${publicUrl.replace(/^http/i, 'ws')}/ws/${channelId}`
}

/** RFC3339 in UTC with second precision, as the relay emits times. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
