import { describe, expect, it } from 'vitest'
import { isLoopbackHost, isTransportAllowed } from './loopback.ts'

const rest = { secure: 'https:', insecure: 'http:' }

describe('loopback hosts (§2 transport choice)', () => {
  it('knows 127.0.0.0/8, localhost and [::1]', () => {
    for (const host of ['127.0.0.1', '127.255.0.9', 'localhost', 'LOCALHOST', '[::1]']) {
      expect(isLoopbackHost(host)).toBe(true)
    }
    for (const host of ['128.0.0.1', '127.0.0.256', 'localhost.example', '[::2]', '10.0.0.1', '']) {
      expect(isLoopbackHost(host)).toBe(false)
    }
  })
  it('allows the secure scheme anywhere and the plain one only where permitted', () => {
    expect(isTransportAllowed(new URL('https://shop.example/'), rest)).toBe(true)
    expect(isTransportAllowed(new URL('http://shop.example/'), rest)).toBe(false)
    expect(isTransportAllowed(new URL('http://127.0.0.1:8443/'), rest)).toBe(true)
    expect(isTransportAllowed(new URL('http://shop.example/'), rest, { allowInsecure: true })).toBe(true)
    expect(isTransportAllowed(new URL('wss://relay.example/'), rest)).toBe(false)
  })
})
