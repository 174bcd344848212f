/**
 * A promise-chain mutex: callers run one at a time, in arrival order. Used where a decision
 * reads state and then writes it (a ledger accepting a transaction, a faucet choosing a coin).
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve()

  /** Runs `fn` after every earlier caller has finished; its result or error is returned. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(fn, fn)
    this.#tail = result.catch(() => undefined)
    return result
  }
}
