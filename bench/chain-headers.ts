/**
 * A `HeaderSource` answering from the in-process devnet's chain index, without HTTP: what a
 * merchant with its own header store (or a header cache in front of the Block Headers Service)
 * asks. Same answers as the devnet's `merkleroot/verify`, `tip/longest` and `header/state` routes.
 */
import type { HeaderSource, HeaderState, RootAtHeight, RootsVerdict } from '../src/chain/headers-client.ts'
import type { Devnet } from '../src/devnet/index.ts'

type ChainIndex = Devnet['ledger']['chain']

export class ChainHeaders implements HeaderSource {
  readonly #chain: ChainIndex

  constructor(chain: ChainIndex) {
    this.#chain = chain
  }

  async verifyRoots(items: readonly RootAtHeight[]): Promise<RootsVerdict> {
    if (items.length === 0) return 'CONFIRMED'
    let verdict: RootsVerdict = 'CONFIRMED'
    for (const { blockHeight, merkleRoot } of items) {
      const block = this.#chain.at(blockHeight)
      if (block === undefined) verdict = 'UNABLE_TO_VERIFY'
      else if (block.header.merkleRoot !== merkleRoot.toLowerCase()) return 'INVALID'
    }
    return verdict
  }

  async currentHeight(): Promise<number> {
    return this.#chain.height
  }

  async headerState(hash: string): Promise<HeaderState | undefined> {
    const block = this.#chain.byHash(hash)
    if (block === undefined) return undefined
    return {
      hash: block.hash,
      state: 'LONGEST_CHAIN',
      height: block.height,
      merkleRoot: block.header.merkleRoot,
    }
  }
}
