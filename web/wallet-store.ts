/**
 * The browser wallet's keys and coins (issue 8, demo): one P2PKH key and the coins paid to it,
 * each kept with its transaction as BEEF so a Payment can carry its ancestry (protocols-p4.md
 * §9), all in localStorage. Development coins only: a page's storage is no place for real money.
 */
import { P2PKH, PrivateKey, type Transaction } from '@bsv/sdk'

const KEY_ITEM = 'paylink-wallet-key'
const COINS_ITEM = 'paylink-wallet-coins'

/** A coin the wallet can spend. */
export interface BrowserCoin {
  txid: string
  vout: number
  satoshis: number
  /** Its transaction as BEEF hex (with the ancestors and proofs it came with). */
  beef: string
}

/** The wallet's key, made on first use. */
export function walletKey(): PrivateKey {
  const stored = localStorage.getItem(KEY_ITEM)
  if (stored !== null) return PrivateKey.fromHex(stored)
  const key = PrivateKey.fromRandom()
  localStorage.setItem(KEY_ITEM, key.toHex())
  return key
}

/** The wallet's locking script (hex). */
export function walletScript(key: PrivateKey): string {
  return new P2PKH().lock(key.toAddress()).toHex()
}

export function loadCoins(): BrowserCoin[] {
  const text = localStorage.getItem(COINS_ITEM)
  return text === null ? [] : (JSON.parse(text) as BrowserCoin[])
}

function saveCoins(coins: readonly BrowserCoin[]): void {
  localStorage.setItem(COINS_ITEM, JSON.stringify(coins))
}

/** Adds the outputs of `tx` (BEEF `beef`) that pay `script`. */
export function addCoinsOf(tx: Transaction, beef: string, script: string): void {
  const txid = tx.id('hex')
  const coins = loadCoins().filter((c) => c.txid !== txid)
  for (const [vout, o] of tx.outputs.entries()) {
    if (o.lockingScript.toHex() === script && o.satoshis !== undefined)
      coins.push({ txid, vout, satoshis: o.satoshis, beef })
  }
  saveCoins(coins)
}

/** Drops coins a sent payment spent. */
export function spendCoins(spent: readonly BrowserCoin[]): void {
  const gone = new Set(spent.map((c) => `${c.txid}:${c.vout}`))
  saveCoins(loadCoins().filter((c) => !gone.has(`${c.txid}:${c.vout}`)))
}

/** Total of the coins. */
export function balanceOf(coins: readonly BrowserCoin[]): number {
  return coins.reduce((n, c) => n + c.satoshis, 0)
}
