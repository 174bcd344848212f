/**
 * The Block Headers Service API (`bitcoin-sv/block-headers-service`; PROTOCOLS.md §9 "Headers")
 * in the shapes `@bsv/sdk`'s `BlockHeadersService` chain tracker and the merchant read:
 * longest tip, merkle-root verification, header state by hash, headers by height and by hash.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { blockWork } from '../../chain/block-header.ts'
import { PaylinkError } from '../../core/errors.ts'
import type { ChainIndex, ChainTip } from '../chain-index.ts'

const verifyBody = z
  .array(z.object({ blockHeight: z.number().int().nonnegative(), merkleRoot: z.string() }))
  .max(1000)

type Confirmation = 'CONFIRMED' | 'INVALID' | 'UNABLE_TO_VERIFY'

export function headersRoutes(app: FastifyInstance, chain: ChainIndex): void {
  app.get('/api/v1/chain/tip/longest', async () => headerState(chain.tip))

  app.get('/api/v1/chain/header/state/:hash', async (req) =>
    headerState(find(chain, (req.params as { hash: string }).hash)),
  )

  app.get('/api/v1/chain/header/byHeight', async (req) => {
    const q = req.query as { height?: string; count?: string }
    const height = Number(q.height)
    const count = Math.min(Math.max(Number(q.count ?? 1) || 1, 1), 2000)
    if (!Number.isInteger(height) || height < 0)
      throw new PaylinkError('PL7004', 'height must be a non-negative integer')
    const out = []
    for (let h = height; h < height + count && h <= chain.height; h++) out.push(headerJson(chain.at(h)!))
    return out
  })

  app.get('/api/v1/chain/header/:hash', async (req) =>
    headerJson(find(chain, (req.params as { hash: string }).hash)),
  )

  app.post('/api/v1/chain/merkleroot/verify', async (req) => {
    const items = verifyBody.safeParse(req.body)
    if (!items.success)
      throw new PaylinkError('PL7004', 'body must be [{"blockHeight": n, "merkleRoot": "<hex>"}, …]')
    const confirmations = items.data.map(({ blockHeight, merkleRoot }) => {
      const block = chain.at(blockHeight)
      const confirmation: Confirmation =
        block === undefined
          ? 'UNABLE_TO_VERIFY'
          : block.header.merkleRoot === merkleRoot.toLowerCase()
            ? 'CONFIRMED'
            : 'INVALID'
      return { blockHash: block?.hash ?? '', blockHeight, merkleRoot, confirmation }
    })
    return { confirmationState: overall(confirmations.map((c) => c.confirmation)), confirmations }
  })
}

function overall(states: Confirmation[]): Confirmation {
  if (states.includes('INVALID')) return 'INVALID'
  if (states.includes('UNABLE_TO_VERIFY') || states.length === 0) return 'UNABLE_TO_VERIFY'
  return 'CONFIRMED'
}

function find(chain: ChainIndex, hash: string): ChainTip {
  const block = chain.byHash(hash)
  if (block === undefined) throw new PaylinkError('PL7002', `no header with hash ${hash}`)
  return block
}

/** A header in the service's JSON shape. */
function headerJson(block: ChainTip): Record<string, unknown> {
  const h = block.header
  return {
    hash: block.hash,
    version: h.version,
    prevBlockHash: h.prevHash,
    merkleRoot: h.merkleRoot,
    creationTimestamp: h.time,
    difficultyTarget: h.bits,
    nonce: h.nonce,
    work: blockWork(h.bits).toString(),
  }
}

function headerState(block: ChainTip): Record<string, unknown> {
  return {
    header: headerJson(block),
    state: 'LONGEST_CHAIN',
    chainWork: block.chainWork.toString(),
    height: block.height,
  }
}
