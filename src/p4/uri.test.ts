import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isPaylinkError } from '../core/errors.ts'
import { bitcoinUri, encodeR, parsePaymentUri, payUri } from './uri.ts'

const CHANNEL = 'Ab3dE6gH9jK2mN5pQ8sT1v'

function refusal(text: string, options = {}): string {
  try {
    parsePaymentUri(text, options)
  } catch (err) {
    return isPaylinkError(err, 'PL1011') ? err.message : `wrong error: ${String(err)}`
  }
  return 'accepted'
}

describe('encodeR (§2)', () => {
  it('keeps the unreserved set and encodes the rest in uppercase hex', () => {
    expect(encodeR('https://a.b/c-d._~:/?@x')).toBe('https://a.b/c-d._~:/?@x')
    expect(encodeR('a=b&c%d#e f')).toBe('a%3Db%26c%25d%23e%20f')
    expect(encodeR('é€')).toBe('%C3%A9%E2%82%AC')
    expect(encodeR("+,;!*'()[]$")).toBe('%2B%2C%3B%21%2A%27%28%29%5B%5D%24')
  })
  it('builds the two URI forms', () => {
    const url = `https://relay.example/api/v1/payment/${CHANNEL}`
    expect(bitcoinUri(url)).toBe(`bitcoin:?sv&r=${url}`)
    expect(payUri(`wss://relay.example/ws/${CHANNEL}?token=x`)).toBe(
      `pay:?r=wss://relay.example/ws/${CHANNEL}?token%3Dx`,
    )
  })
})

describe('parsePaymentUri (§2)', () => {
  it('decodes the BIP272 example', () => {
    const parsed = parsePaymentUri('bitcoin:?sv&r=https://merchant.com/pay.php?h%3D2a8628fc2fbe')
    expect(parsed).toEqual({
      scheme: 'bitcoin',
      url: 'https://merchant.com/pay.php?h=2a8628fc2fbe',
      transport: 'rest',
    })
  })
  it('matches the scheme case-insensitively and accepts sv=', () => {
    expect(parsePaymentUri('BITCOIN:?sv=&r=https://a.example/p').scheme).toBe('bitcoin')
    expect(parsePaymentUri('Pay:?r=https://a.example/p').scheme).toBe('pay')
  })
  it('reads a model-3 URL with its channel and token', () => {
    const parsed = parsePaymentUri(`bitcoin:?sv&r=wss://relay.example/ws/${CHANNEL}?token%3Dabc_-1`)
    expect(parsed).toMatchObject({ transport: 'websocket', channelId: CHANNEL, token: 'abc_-1' })
  })
  it('converts the informational amount by string arithmetic', () => {
    const at = (amount: string) =>
      parsePaymentUri(`bitcoin:1Addr?amount=${amount}&r=https://a.example/p`).amount
    expect(at('0.1')).toBe(10_000_000)
    expect(at('1.00000001')).toBe(100_000_001)
    expect(at('21000000')).toBe(2_100_000_000_000_000)
  })
  it('decodes each value exactly once', () => {
    expect(parsePaymentUri('pay:?r=https://a.example/p%253D').url).toBe('https://a.example/p%3D')
  })
  it('allows plain http and ws for loopback hosts or with allowInsecure', () => {
    for (const host of ['127.0.0.1:8443', '127.1.2.3', 'localhost:80', '[::1]:8445']) {
      expect(parsePaymentUri(`pay:?r=http://${host}/p`).transport).toBe('rest')
      expect(parsePaymentUri(`pay:?r=ws://${host}/ws/${CHANNEL}?token%3Dt`).transport).toBe('websocket')
    }
    expect(parsePaymentUri('pay:?r=http://shop.example/p', { allowInsecure: true }).transport).toBe('rest')
  })
  it.each([
    ['another scheme', 'https://shop.example/p', /scheme/],
    ['no query', 'bitcoin:1Addr', /no r/],
    ['no r', 'bitcoin:?sv&amount=1', /no r/],
    ['two r', 'pay:?r=https://a.example/p&r=https://b.example/p', /more than one r/],
    ['a req- parameter (BIP275)', 'bitcoin:?sv&req-bip275=x&r=https://a.example/p', /req-bip275/],
    ['a valued sv', 'bitcoin:?sv=1&r=https://a.example/p', /sv/],
    ['bad percent-encoding', 'pay:?r=https://a.example/%zz', /percent/],
    ['a relative r', 'pay:?r=/api/v1/payment/x', /absolute/],
    ['plain http to a public host', 'pay:?r=http://shop.example/p', /https or wss/],
    ['plain ws to a public host', `pay:?r=ws://relay.example/ws/${CHANNEL}?token%3Dt`, /https or wss/],
    ['another scheme in r', 'pay:?r=ftp://a.example/p', /https or wss/],
    [
      'a websocket path that is not /ws/{id}',
      `pay:?r=wss://relay.example/socket/${CHANNEL}?token%3Dt`,
      /\/ws\//,
    ],
    ['a websocket channel id of a bad shape', 'pay:?r=wss://relay.example/ws/ab?token%3Dt', /\/ws\//],
    ['a websocket URL without token', `pay:?r=wss://relay.example/ws/${CHANNEL}`, /token/],
    ['a negative amount', 'bitcoin:?amount=-1&r=https://a.example/p', /amount/],
    ['an amount with 9 decimals', 'bitcoin:?amount=0.000000001&r=https://a.example/p', /amount/],
    ['an amount with an exponent', 'bitcoin:?amount=1e3&r=https://a.example/p', /amount/],
    ['an amount past 21 million', 'bitcoin:?amount=21000000.00000001&r=https://a.example/p', /amount/],
    ['two amounts', 'bitcoin:?amount=1&amount=2&r=https://a.example/p', /more than one amount/],
  ])('refuses %s with PL1011', (_, text, reason) => {
    expect(refusal(text)).toMatch(reason)
  })
  it('round-trips any https or http URL through both forms', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        for (const uri of [bitcoinUri(url), payUri(url)]) {
          expect(parsePaymentUri(uri, { allowInsecure: true }).url).toBe(url)
        }
      }),
    )
  })
  it('round-trips model-3 URLs with any token', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9]{6,64}$/)
    fc.assert(
      fc.property(id, fc.string({ minLength: 1 }), (channelId, token) => {
        const url = `wss://relay.example/ws/${channelId}?token=${encodeURIComponent(token)}`
        const parsed = parsePaymentUri(bitcoinUri(url))
        expect(parsed).toMatchObject({ url, transport: 'websocket', channelId, token })
      }),
    )
  })
  it('answers garbage with PL1011 or a result, never another error', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        for (const text of [a, `bitcoin:?${a}`, `pay:?r=${a}&${b}`]) {
          expect(refusal(text)).toMatch(/^(accepted|invalid payment URI)/)
        }
      }),
    )
  })
})
