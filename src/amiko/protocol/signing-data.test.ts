import { describe, expect, it } from 'vitest'
import { bytesToHex, utf8ToBytes } from '../../core/bytes.ts'
import { publicKeyOf, sign, verify } from './signing.ts'
import { connectSigningData, meetingPointSigningData, receiptSigningData } from './signing-data.ts'

const TXID = 'ab'.repeat(20)
const KEY = '07'.repeat(32)

/** A length-prefixed string, spelled out independently of enc.ts. */
function str(text: string): string {
  const bytes = utf8ToBytes(text)
  return bytes.length.toString(16).padStart(8, '0') + bytesToHex(bytes)
}

describe('signed data (§2.3, §4, §5)', () => {
  it('receipt: tag, amount as u64, receipt as text, transaction ID as 20 raw bytes', () => {
    expect(bytesToHex(receiptSigningData(1000, 'tea', TXID))).toBe(
      str('paylink/amiko/receipt/1') + '00000000000003e8' + str('tea') + '00000014' + TXID,
    )
  })

  it('meeting point: tag, ID as text, transaction ID as raw bytes, amount as u64', () => {
    expect(bytesToHex(meetingPointSigningData('mp', TXID, 5))).toBe(
      str('paylink/amiko/meeting-point/1') + str('mp') + '00000014' + TXID + '0000000000000005',
    )
  })

  it('connect: hex fields as raw bytes, a null ID or callbackID as the null marker', () => {
    const nodeKey = publicKeyOf(KEY)
    expect(bytesToHex(connectSigningData('cc'.repeat(32), 'bob', null, '01020304', nodeKey))).toBe(
      str('paylink/amiko/connect/1') +
        '00000020' +
        'cc'.repeat(32) +
        str('bob') +
        'ffffffff' +
        '0000000401020304' +
        '00000021' +
        nodeKey,
    )
    expect(bytesToHex(connectSigningData('cc'.repeat(32), null, 'bob', '01020304', nodeKey))).toContain(
      str('paylink/amiko/connect/1') + '00000020' + 'cc'.repeat(32) + 'ffffffff' + str('bob'),
    )
    expect(connectSigningData('cc'.repeat(32), 'bob', '', '01020304', nodeKey)).not.toEqual(
      connectSigningData('cc'.repeat(32), 'bob', null, '01020304', nodeKey),
    )
  })

  it('a connect signature verifies only for the challenge it answers', () => {
    const nodeKey = publicKeyOf(KEY)
    const data = (challenge: string) => connectSigningData(challenge, 'bob', 'alice', '01020304', nodeKey)
    const signature = sign(KEY, data('cc'.repeat(32)))
    expect(verify(nodeKey, data('cc'.repeat(32)), signature)).toBe(true)
    expect(verify(nodeKey, data('dd'.repeat(32)), signature)).toBe(false)
  })
})
