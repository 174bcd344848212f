/**
 * The point-of-sale page and the browser wallet page (issue 8), with what they call:
 * - `GET /pos`, `GET /wallet`: the pages; `GET /web/{pos,wallet}.js` their scripts (bundled by
 *   `pos-bundle.ts`), `GET /web/pos.css` the stylesheet. The wallet is a demo for development
 *   coins, served only by a merchant that names a devnet (`devnetUrl`): a shop in production
 *   does not offer a wallet on the origin of its till;
 * - `GET /pos/config`: what the pages need to know of this merchant (public: no secrets);
 * - `POST /pos/amiko-requests`: an Amiko request on the merchant's node, behind the admin key;
 * - `GET /pos/live`: the live status websocket. Browsers cannot put an `Authorization` header on
 *   a websocket, so the first frame must be `{"type": "auth", "key": "<admin key>"}`; a page that
 *   does not sign in within 10 s, or with a wrong key, is closed with 4401.
 * P4 invoices are made through the admin API (`POST /api/v1/invoices`) with the same key.
 */
import websocket from '@fastify/websocket'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { MAX_SATOSHIS } from '../../core/amount.ts'
import { PaylinkError } from '../../core/errors.ts'
import { schemaFailure } from '../../p4/field-errors.ts'
import type { P4Network } from '../../p4/payment-terms.ts'
import { apiKeyMatches } from '../api-keys.ts'
import type { PosAmiko } from '../pos-amiko.ts'
import { type Page, pageScript, warmPages, webFile } from '../pos-bundle.ts'
import type { PosFeed } from '../pos-feed.ts'
import { bearerAuth } from './bearer-auth.ts'

export interface PosRouteDeps {
  feed: PosFeed
  amiko: PosAmiko | undefined
  keyHashes: () => readonly Uint8Array[]
  /** What `GET /pos/config` tells the pages. */
  config: { network: P4Network; devnetUrl: string | undefined; relay: boolean }
}

const amikoRequestSchema = z.object({
  amount: z.number().int().min(1).max(MAX_SATOSHIS),
  receipt: z.string().min(1).max(1024),
})
const authFrame = z.object({ type: z.literal('auth'), key: z.string().min(1).max(200) })

/** Close code of a page that did not sign in (4000–4999 are the application's). */
const UNAUTHORISED = 4401
const SIGN_IN_MS = 10_000
/** Scripts and styles from this origin only; payments and the faucet may be on other hosts. */
const PAGE_POLICY =
  "default-src 'self'; img-src 'self' data:; connect-src 'self' http: https: ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

export function posRoutes(app: FastifyInstance, deps: PosRouteDeps): void {
  const page = (file: string) => async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', PAGE_POLICY)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(webFile(file))
  app.get('/pos', page('pos.html'))
  // Bundled while the server starts rather than on the first customer's request.
  app.addHook('onListen', async () => warmPages())
  const script = (name: Page) => async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await pageScript(name))
  app.get('/web/pos.js', script('pos'))
  if (deps.config.devnetUrl !== undefined) {
    app.get('/wallet', page('wallet.html'))
    app.get('/web/wallet.js', script('wallet'))
  }
  app.get('/web/pos.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(webFile('pos.css')),
  )
  app.get('/pos/config', async () => ({ ...deps.config, amiko: deps.amiko !== undefined }))

  const authorize = bearerAuth(deps.keyHashes)
  app.post('/pos/amiko-requests', { onRequest: authorize, bodyLimit: 16 * 1024 }, async (req, reply) => {
    if (deps.amiko === undefined)
      throw new PaylinkError('PL1009', 'this merchant runs no Amiko node, so it cannot make Amiko requests')
    const body = amikoRequestSchema.safeParse(req.body)
    if (!body.success) throw schemaFailure(body.error, 'Amiko request')
    const made = await deps.amiko.create(body.data.amount, body.data.receipt)
    deps.feed.nudge()
    return reply.code(201).send(made)
  })

  app.register(async (scope) => {
    await scope.register(websocket, { options: { maxPayload: 4096 } })
    scope.get('/pos/live', { websocket: true }, (socket) => {
      let listening = false
      const listener = { send: (text: string) => socket.send(text) }
      const timer = setTimeout(() => socket.close(UNAUTHORISED, 'sign in first'), SIGN_IN_MS)
      socket.on('message', (data, isBinary) => {
        if (listening) return
        const frame = isBinary ? undefined : authFrame.safeParse(parseJson(data.toString()))
        if (!frame?.success || !apiKeyMatches(deps.keyHashes(), frame.data.key)) {
          socket.close(UNAUTHORISED, 'wrong key')
          return
        }
        clearTimeout(timer)
        listening = true
        deps.feed.add(listener)
      })
      socket.on('close', () => {
        clearTimeout(timer)
        deps.feed.remove(listener)
      })
    })
  })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
