/**
 * The point-of-sale page (issue 8): signs in with the admin key (from the `#key=` fragment
 * `paylink up` prints, or typed once; kept in sessionStorage, never sent anywhere but this
 * merchant), creates P4 invoices through the admin API and Amiko requests through
 * `/pos/amiko-requests`, shows the QR code and the URI, and follows every status live over the
 * `/pos/live` websocket.
 */
import type { PosActivity } from '../src/merchant/pos-feed.ts'
import { byId, cell, jsonAnswer, reach, satoshis, showStatus } from './dom.ts'

const KEY_ITEM = 'paylink-pos-key'

interface PosConfig {
  network: string
  relay: boolean
  amiko: boolean
}

/** What the "current" panel follows: a P4 invoice or an Amiko request, by id. */
type Current = { kind: 'p4'; id: string } | { kind: 'amiko'; id: string }

let current: Current | undefined
let key = takeKey()

/** The key from the URL fragment (then removed from the address bar), else from this tab. */
function takeKey(): string | undefined {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('key')
  if (fromHash !== null && fromHash !== '') {
    sessionStorage.setItem(KEY_ITEM, fromHash)
    history.replaceState(null, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(KEY_ITEM) ?? undefined
}

function signedIn(on: boolean): void {
  byId('sign-in').hidden = on
  byId('new').hidden = !on
  byId('recent').hidden = !on
}

async function start(): Promise<void> {
  const config = await jsonAnswer<PosConfig>(await reach('the merchant', '/pos/config'))
  byId<HTMLInputElement>('kind-amiko').disabled = !config.amiko
  for (const option of byId<HTMLSelectElement>('model').options)
    option.disabled = option.value !== 'rest' && !config.relay
  // The deployment model is a P4 matter: an Amiko request has none.
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="kind"]'))
    radio.addEventListener('change', () => {
      byId<HTMLSelectElement>('model').disabled = radio.value === 'amiko' && radio.checked
    })
  byId('sign-in-form').addEventListener('submit', (e) => {
    e.preventDefault()
    key = byId<HTMLInputElement>('api-key').value.trim()
    sessionStorage.setItem(KEY_ITEM, key)
    live()
  })
  byId('new-form').addEventListener('submit', (e) => {
    e.preventDefault()
    create().catch((err: unknown) => {
      byId('new-error').textContent = (err as Error).message
    })
  })
  byId('copy').addEventListener('click', () => {
    copy().catch(() => undefined)
  })
  live()
}

async function create(): Promise<void> {
  byId('new-error').textContent = ''
  // The panel shows the new payment only: nothing of the previous one is left to copy meanwhile.
  current = undefined
  byId('current').hidden = true
  byId<HTMLInputElement>('current-uri').value = ''
  const form = new FormData(byId<HTMLFormElement>('new-form'))
  const amount = Number(form.get('amount'))
  const memo = String(form.get('memo'))
  const headers = { authorization: `Bearer ${key ?? ''}`, 'content-type': 'application/json' }
  if (form.get('kind') === 'amiko') {
    const res = await reach('the merchant', '/pos/amiko-requests', {
      method: 'POST',
      headers,
      body: JSON.stringify({ amount, receipt: memo }),
    })
    const made = await jsonAnswer<{ paymentId: string; url: string; qr: string }>(res)
    current = { kind: 'amiko', id: made.paymentId }
    showCurrent({ qr: made.qr, uri: made.url, amount, memo, status: 'waiting' })
    return
  }
  const res = await reach('the merchant', '/api/v1/invoices', {
    method: 'POST',
    headers,
    body: JSON.stringify({ satoshis: amount, description: memo, model: form.get('model') }),
  })
  const invoice = await jsonAnswer<{ id: string; qr: string; bitcoinUri: string }>(res)
  current = { kind: 'p4', id: invoice.id }
  showCurrent({ qr: invoice.qr, uri: invoice.bitcoinUri, amount, memo, status: 'waiting' })
}

function showCurrent(c: { qr: string; uri: string; amount: number; memo: string; status: string }): void {
  byId('current').hidden = false
  byId<HTMLImageElement>('current-qr').src = c.qr
  byId<HTMLInputElement>('current-uri').value = c.uri
  byId('current-amount').textContent = satoshis(c.amount)
  byId('current-memo').textContent = c.memo
  byId('current-txid').textContent = '—'
  byId('current-block').textContent = '—'
  showStatus(byId('current-status'), c.status)
  byId('current-title').textContent = 'Waiting for payment'
}

async function copy(): Promise<void> {
  const input = byId<HTMLInputElement>('current-uri')
  try {
    await navigator.clipboard.writeText(input.value)
  } catch {
    // Without clipboard permission (plain http on another host) the text is left selected.
    input.select()
  }
  byId('copy').textContent = 'Copied'
  setTimeout(() => {
    byId('copy').textContent = 'Copy'
  }, 1500)
}

/** Opens the live feed; reconnects after a drop, asks for the key again when it is refused. */
function live(): void {
  if (key === undefined || key === '') {
    signedIn(false)
    showConnection('sign in to continue')
    return
  }
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/pos/live`)
  socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', key })))
  socket.addEventListener('message', (e) => {
    signedIn(true)
    showConnection('live')
    render(JSON.parse(String(e.data)) as PosActivity)
  })
  socket.addEventListener('close', (e) => {
    if (e.code === 4401) {
      sessionStorage.removeItem(KEY_ITEM)
      key = undefined
      live()
      showConnection('the key was refused: sign in again')
      return
    }
    showConnection('disconnected; reconnecting…')
    setTimeout(live, 2000)
  })
}

function showConnection(text: string): void {
  byId('connection').textContent = text
}

function render(activity: PosActivity): void {
  const rows: HTMLTableRowElement[] = []
  for (const r of activity.amiko ?? []) {
    rows.push(
      row(['Amiko', satoshis(r.amount), r.receipt, '—', r.status], [r.transactionId, '—'], r.createdAt),
    )
    if (current?.kind === 'amiko' && current.id === r.paymentId) {
      showStatus(byId('current-status'), r.status)
      byId('current-txid').textContent = r.transactionId
      if (r.status !== 'waiting') byId('current-title').textContent = 'Payment'
    }
  }
  for (const i of activity.invoices) {
    const block = i.proof === null ? '—' : `${i.proof.blockHeight} ${i.proof.blockHash}`
    rows.push(
      row(['P4', satoshis(i.satoshis), i.memo, i.model, i.status], [i.txid ?? '—', block], i.createdAt),
    )
    if (current?.kind === 'p4' && current.id === i.id) {
      showStatus(byId('current-status'), i.status)
      byId('current-txid').textContent = i.txid ?? '—'
      byId('current-block').textContent = block
      if (i.status !== 'waiting') byId('current-title').textContent = 'Payment'
    }
  }
  rows.sort((a, b) => Number(b.dataset['at']) - Number(a.dataset['at']))
  byId('recent-rows').replaceChildren(...rows)
}

function row(texts: string[], monos: string[], at: number): HTMLTableRowElement {
  const tr = document.createElement('tr')
  tr.dataset['at'] = String(at)
  for (const [n, t] of texts.entries()) {
    const td = cell(t)
    if (n === 1) td.className = 'amount'
    if (n === 4) td.dataset['status'] = t
    tr.append(td)
  }
  for (const t of monos) tr.append(cell(t, true))
  return tr
}

start().catch((err: unknown) => showConnection(`cannot start: ${(err as Error).message}`))
