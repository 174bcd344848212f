/**
 * Row types of every table, for Kysely. Amounts and times are integers (bigint columns read
 * back as numbers); booleans are 0/1 integers so one code path serves SQLite and PostgreSQL;
 * bytes are lowercase hex text.
 */

/** Devnet settings that must survive a restart (keys, chain parameters). */
export interface DevnetMetaTable {
  key: string
  value: string
}

/** One mined block. */
export interface DevnetBlocksTable {
  height: number
  hash: string
  /** The 80-byte header, hex. */
  header: string
  tx_count: number
  /** The txids in block order, as a JSON array (needed to build merkle paths). */
  txids: string
}

/** Every transaction the devnet accepted, mined or not. */
export interface DevnetTxsTable {
  txid: string
  raw: string
  fee: number
  /** Arrival order; mempool transactions are mined in this order (parents before children). */
  seq: number
  block_height: number | null
  block_index: number | null
  received_at: number
}

/** Every output of an accepted transaction; `spent_by` is the spending txid. */
export interface DevnetOutputsTable {
  txid: string
  vout: number
  satoshis: number
  script: string
  coinbase: number
  spent_by: string | null
}

/** A callback registration made with `X-CallbackUrl` (ARC) or `callbackUrl` (mAPI). */
export interface DevnetSubscriptionsTable {
  txid: string
  url: string
  token: string
  api: 'arc' | 'mapi'
  full_status: number
}

/** One callback to deliver; unique per (txid, url, status) so each status is effective once. */
export interface DevnetCallbacksTable {
  id: string
  txid: string
  url: string
  token: string
  status: string
  body: string
  attempts: number
  next_attempt_at: number
  state: 'pending' | 'delivered' | 'failed'
  created_at: number
}

/** Merchant settings: master key, API key hashes. */
export interface MerchantMetaTable {
  key: string
  value: string
}

/** An invoice; `request` is the served PaymentRequest terms (JSON), fixed once served. */
export interface MerchantInvoicesTable {
  id: string
  state: 'pending' | 'paid' | 'expired' | 'cancelled'
  satoshis: number
  description: string
  reference: string | null
  spv_required: number
  model: 'rest' | 'hybrid' | 'websocket'
  created_at: number
  expires_at: number
  payment_url: string
  /** The invoice's destination locking script (hex), derived from the master key and the id. */
  script: string
  request: string | null
  updated_at: number
  /** The URL the payment URIs carry when it is not `payment_url` (model 3: with the token). */
  r_url?: string | null
}

/** A Payment received for an invoice. */
export interface MerchantPaymentsTable {
  id: string
  invoice_id: string
  txid: string
  state: 'accepted' | 'broadcast' | 'mined' | 'rejected'
  dialect: 'p4' | 'bip270'
  raw_tx: string
  /** What is sent to the broadcaster: BEEF when the Payment came with one, else the raw tx. */
  broadcast_body: string
  refund_to: string | null
  memo: string | null
  proof_callbacks: string | null
  callback_token: string
  satoshis_paid: number
  overpaid: number
  /** The stored ACK body and its HTTP status, once decided. */
  ack: string | null
  ack_status: number | null
  received_at: number
  block_hash: string | null
  block_height: number | null
  merkle_path: string | null
  updated_at: number
}

/** A Payment refused for arriving after expiry, kept so the customer can be refunded. */
export interface MerchantAttemptsTable {
  id: string
  invoice_id: string
  txid: string
  raw_tx: string
  refund_to: string | null
  reason: string
  at: number
}

/** A proof to deliver to a customer's proof callback URL. */
export interface MerchantProofDeliveriesTable {
  id: string
  payment_id: string
  url: string
  token: string
  body: string
  attempts: number
  next_attempt_at: number
  state: 'pending' | 'delivered' | 'failed'
}

/** Wallet settings: master key, network. */
export interface WalletMetaTable {
  key: string
  value: string
}

/** A key derived from the wallet's master key (BRC-42, invoice number `paylink wallet key {index}`). */
export interface WalletKeysTable {
  key_index: number
  purpose: 'receive' | 'change'
  /** Its P2PKH locking script, hex. */
  script: string
  created_at: number
}

/** A coin the wallet holds or held; `payment_id` is the payment that reserved or spent it. */
export interface WalletCoinsTable {
  txid: string
  vout: number
  satoshis: number
  script: string
  key_index: number
  state: 'available' | 'reserved' | 'spent'
  payment_id: string | null
  /** The transaction that made the coin, as BEEF hex with its ancestors (BRC-62). */
  source_beef: string
  /** 1 once the source transaction is known to be mined (its BEEF carries its merkle path). */
  confirmed: number
  created_at: number
  updated_at: number
}

/** A payment the wallet made; `body` is the Payment exactly as sent, re-sent byte for byte. */
export interface WalletPaymentsTable {
  id: string
  uri: string
  payment_url: string
  dialect: 'p4' | 'bip270'
  memo: string
  merchant: string
  satoshis: number
  fee: number
  expires_at: number | null
  state: 'building' | 'sent' | 'acked' | 'refused' | 'failed'
  txid: string | null
  raw_tx: string | null
  /** The transaction with its ancestors, BEEF hex (the Payment's `ancestry`). */
  beef: string | null
  body: string | null
  content_type: string
  /** The PaymentACK (or error body) as received, JSON. */
  ack: string | null
  reason: string | null
  /** Bearer token the merchant must present at this wallet's proof callback. */
  callback_token: string
  proof_callback_url: string | null
  attempts: number
  created_at: number
  updated_at: number
}

/** A verified merkle proof of a wallet transaction; `source` says how it arrived. */
export interface WalletProofsTable {
  txid: string
  payment_id: string | null
  block_hash: string
  block_height: number
  /** BUMP (BRC-74) hex. */
  merkle_path: string
  source: 'broadcaster' | 'callback' | 'relay'
  received_at: number
}

/** A merchant key the relay operator issued, as its SHA-256 hex hash. */
export interface RelayMerchantKeysTable {
  hash: string
  created_at: number
}

/** A relay channel (§14.1); tokens are SHA-256 hex hashes; `ack_txid` is the txid of an error-0 ACK seen. */
export interface RelayChannelsTable {
  id: string
  owner_hash: string
  merchant_token_hash: string
  customer_token_hash: string
  proof_token_hash: string
  state: 'open' | 'closing' | 'expired'
  reference: string | null
  ack_txid: string | null
  /** When a merchant connection was last seen (ms; migration 006). */
  merchant_seen_at: number | null
  expires_at: number
  created_at: number
}

/** A message waiting for a role's next live connection (§14.5), in `seq` order. */
export interface RelayQueueTable {
  id: string
  channel_id: string
  role: 'merchant' | 'customer'
  seq: number
  message_id: string
  frame: string
  created_at: number
}

/** The relay channel of a `hybrid`/`websocket` invoice (§14.1). */
export interface MerchantChannelsTable {
  invoice_id: string
  channel_id: string
  merchant_token: string
  customer_token: string
  proof_token: string | null
  ws_url: string
  payment_url: string
  expires_at: number
  state: 'open' | 'closed'
}

/** An Amiko node's whole state (protocols-amiko.md §12), one JSON document per node. */
export interface AmikoStateTable {
  node: string
  json: string
  updated_at: number
}

/** One line of an Amiko node's payment log (§12.6), never rewritten. */
export interface AmikoPaymentLogTable {
  node: string
  seq: number
  line: string
}

export interface Database {
  amiko_state: AmikoStateTable
  amiko_payment_log: AmikoPaymentLogTable
  merchant_channels: MerchantChannelsTable
  merchant_meta: MerchantMetaTable
  merchant_invoices: MerchantInvoicesTable
  merchant_payments: MerchantPaymentsTable
  merchant_attempts: MerchantAttemptsTable
  merchant_proof_deliveries: MerchantProofDeliveriesTable
  devnet_meta: DevnetMetaTable
  devnet_blocks: DevnetBlocksTable
  devnet_txs: DevnetTxsTable
  devnet_outputs: DevnetOutputsTable
  devnet_subscriptions: DevnetSubscriptionsTable
  devnet_callbacks: DevnetCallbacksTable
  wallet_meta: WalletMetaTable
  wallet_keys: WalletKeysTable
  wallet_coins: WalletCoinsTable
  wallet_payments: WalletPaymentsTable
  wallet_proofs: WalletProofsTable
  relay_merchant_keys: RelayMerchantKeysTable
  relay_channels: RelayChannelsTable
  relay_queue: RelayQueueTable
}
