import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AmikoError } from './errors.ts'
import { formatLinkUrl, formatPayUrl, parseLinkUrl, parsePayUrl } from './urls.ts'

const KEY = `02${'ab'.repeat(32)}`

function badUrl(f: () => unknown): void {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(AmikoError)
    expect((err as AmikoError).code).toBe('AMIKO_BAD_URL')
    return
  }
  expect.fail('expected AMIKO_BAD_URL')
}

const name = fc.stringMatching(/^[A-Za-z0-9.~-][A-Za-z0-9._~-]{0,63}$/).filter((n) => n !== '.' && n !== '..')
// IPv6 is left out: URL canonicalises it (`0::` → `::`), checked by example above.
const host = fc.oneof(fc.domain(), fc.ipV4())
const port = fc.integer({ min: 1, max: 65_535 })

describe('payment URLs (§1, §2.6)', () => {
  it('omits the default port and brackets IPv6 hosts', () => {
    expect(formatPayUrl({ host: 'shop.example', port: 4321, id: 'abc' })).toBe('amikopay://shop.example/abc')
    expect(formatPayUrl({ host: '::1', port: 9000, id: 'abc' })).toBe('amikopay://[::1]:9000/abc')
    expect(formatPayUrl({ host: 'h', id: 'abc', ws: 8080 })).toBe('amikopay://h/abc?ws=8080')
  })

  it('parses host, port, ID and the WebSocket keys; ignores unknown keys', () => {
    expect(parsePayUrl('amikopay://shop.example/abc')).toEqual({
      host: 'shop.example',
      port: 4321,
      id: 'abc',
    })
    expect(parsePayUrl('amikopay://[::1]:99/a.b?wss=443&x=1')).toEqual({
      host: '::1',
      port: 99,
      id: 'a.b',
      wss: 443,
    })
    expect(parsePayUrl('amikopay://1.2.3.4:5/x?ws=80&wss=443')).toMatchObject({ ws: 80, wss: 443 })
  })

  it('refuses other schemes, bad IDs, bad ports and user info', () => {
    for (const text of [
      'http://h/abc',
      'amikolink://h/abc',
      'amikopay://h/',
      'amikopay://h/a/b',
      'amikopay://h/a%41',
      `amikopay://h/${'a'.repeat(65)}`,
      'amikopay://h:0/abc',
      'amikopay://h/abc?ws=0',
      'amikopay://h/abc?ws=x',
      'amikopay:///abc',
      'amikopay://u:p@h/abc',
      'not a url',
    ]) {
      badUrl(() => parsePayUrl(text))
    }
    badUrl(() => formatPayUrl({ host: 'h', id: 'a/b' }))
    badUrl(() => formatPayUrl({ host: 'h', id: '..' }))
    badUrl(() => formatPayUrl({ host: 'h', port: 70_000, id: 'a' }))
  })

  it('round-trips', () => {
    fc.assert(
      fc.property(host, port, name, (h, p, id) => {
        expect(parsePayUrl(formatPayUrl({ host: h, port: p, id }))).toEqual({ host: h, port: p, id })
      }),
    )
  })
})

describe('link URLs (§1, §2.3)', () => {
  it('formats and parses the optional node key', () => {
    const text = formatLinkUrl({ host: 'bob.example', port: 4321, name: 'alice', key: KEY })
    expect(text).toBe(`amikolink://bob.example/alice?key=${KEY}`)
    expect(parseLinkUrl(text)).toEqual({ host: 'bob.example', port: 4321, name: 'alice', key: KEY })
    expect(parseLinkUrl('amikolink://h:7/alice')).toEqual({ host: 'h', port: 7, name: 'alice' })
    expect(parseLinkUrl(`amikolink://h/alice?key=${KEY.toUpperCase()}`).key).toBe(KEY)
  })

  it('refuses reserved names and a present but malformed key', () => {
    badUrl(() => parseLinkUrl('amikolink://h/_alice'))
    badUrl(() => parseLinkUrl('amikolink://h/alice?key=02ab'))
    badUrl(() => parseLinkUrl('amikopay://h/alice'))
    badUrl(() => formatLinkUrl({ host: 'h', name: '__payer__' }))
    badUrl(() => formatLinkUrl({ host: 'h', name: 'a', key: 'zz' }))
  })

  it('round-trips', () => {
    const key = fc.option(fc.constant(KEY), { nil: undefined })
    fc.assert(
      fc.property(
        host,
        port,
        name.filter((n) => !n.startsWith('_')),
        key,
        (h, p, n, k) => {
          const url = { host: h, port: p, name: n, ...(k === undefined ? {} : { key: k }) }
          expect(parseLinkUrl(formatLinkUrl(url))).toEqual(url)
        },
      ),
    )
  })
})
