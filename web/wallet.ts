/**
 * The browser wallet page (issue 8, demo): a key kept in this browser, funded from the devnet
 * faucet the merchant names in `/pos/config`; a pasted payment URI is fetched and shown (memo,
 * amount, fee) and paid only once the user confirms, in any P4 model.
 */
// First: before any module that builds a schema.
import './zod-jitless.ts'
import { Transaction } from '@bsv/sdk'
import { byId, jsonAnswer, reach, satoshis, showStatus } from './dom.ts'
import { fetchOffer, type Offer, pay } from './p4-pay.ts'
import { addCoinsOf, balanceOf, loadCoins, spendCoins, walletKey, walletScript } from './wallet-store.ts'

interface Config {
  network: string
  devnetUrl: string | undefined
}

const MODEL_NAMES = { rest: 'REST (model 1 or 2)', websocket: 'websockets end to end (model 3)' } as const

const key = walletKey()
const script = walletScript(key)
let config: Config = { network: 'regtest', devnetUrl: undefined }
let offer: Offer | undefined

function showBalance(): void {
  byId('balance').textContent = satoshis(balanceOf(loadCoins()))
}

async function fund(): Promise<void> {
  byId('fund-error').textContent = ''
  const devnet = config.devnetUrl
  if (devnet === undefined) throw new Error('this merchant names no devnet, so there is no faucet')
  const amount = Number(byId<HTMLInputElement>('fund-amount').value)
  const res = await reach('the devnet faucet', `${devnet.replace(/\/+$/, '')}/devnet/faucet`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address: address(), satoshis: amount }),
  })
  const paid = await jsonAnswer<{ txid: string; beef: string }>(res)
  const tx = Transaction.fromHexBEEF(paid.beef, paid.txid)
  if (tx.id('hex') !== paid.txid)
    throw new Error('the faucet answered a transaction that is not the one it named')
  addCoinsOf(tx, paid.beef, script)
  showBalance()
}

async function show(): Promise<void> {
  byId('pay-error').textContent = ''
  byId('offer').hidden = true
  // The last payment's outcome is not this one's.
  showStatus(byId('result'), '—')
  byId('result-txid').textContent = ''
  offer = await fetchOffer(byId<HTMLTextAreaElement>('uri').value, loadCoins(), config.network)
  byId('offer-merchant').textContent = offer.terms.merchant?.name ?? new URL(offer.terms.paymentUrl).host
  byId('offer-memo').textContent = offer.terms.memo
  byId('offer-amount').textContent = satoshis(offer.amount)
  byId('offer-fee').textContent = satoshis(offer.plan.fee)
  byId('offer-model').textContent = MODEL_NAMES[offer.transport]
  byId('offer').hidden = false
  byId('confirm').focus()
}

async function confirm(): Promise<void> {
  if (offer === undefined) return
  const chosen = offer
  offer = undefined
  byId('offer').hidden = true
  showStatus(byId('result'), 'paying…')
  const paid = await pay(chosen, key)
  spendCoins(chosen.plan.coins)
  addCoinsOf(paid.tx, paid.beef, script)
  showBalance()
  showStatus(byId('result'), 'paid')
  byId('result-txid').textContent = paid.txid
}

function failed(where: string): (err: unknown) => void {
  return (err) => {
    byId(where).textContent = (err as Error).message
  }
}

/** The key's address in the merchant's network's format (a devnet is `regtest`: testnet addresses). */
function address(): string {
  return key.toAddress(config.network === 'bitcoin-sv' ? 'mainnet' : 'testnet')
}

async function start(): Promise<void> {
  showBalance()
  config = await jsonAnswer<Config>(await reach('the merchant', '/pos/config'))
  byId('address').textContent = address()
  byId<HTMLButtonElement>('fund').disabled = config.devnetUrl === undefined
  byId('fund-form').addEventListener('submit', (e) => {
    e.preventDefault()
    fund().catch(failed('fund-error'))
  })
  byId('uri-form').addEventListener('submit', (e) => {
    e.preventDefault()
    show().catch(failed('pay-error'))
  })
  byId('confirm').addEventListener('click', () => {
    confirm().catch((err: unknown) => {
      showStatus(byId('result'), 'failed')
      failed('pay-error')(err)
    })
  })
  byId('cancel').addEventListener('click', () => {
    offer = undefined
    byId('offer').hidden = true
    showStatus(byId('result'), 'cancelled')
  })
  document.body.dataset['ready'] = 'true'
}

start().catch(failed('pay-error'))
