/**
 * One progress line per step: on a terminal a spinner while the step runs, replaced by ✓ or ✗
 * and its time; otherwise (a pipe, a log, a test) one plain line when the step ends.
 */
import type { Writable } from 'node:stream'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const FRAME_MS = 80

export type ProgressOut = Writable & { isTTY?: boolean }

export class Progress {
  readonly #out: ProgressOut

  constructor(out: ProgressOut) {
    this.#out = out
  }

  /** Runs `fn` as the step `label`; its error is printed and thrown on. */
  async step<T>(label: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now()
    const stopSpinner = this.#out.isTTY === true ? this.#spin(label) : () => undefined
    try {
      const value = await fn()
      stopSpinner()
      this.#end('✓', 'ok    ', `${label} (${Date.now() - started} ms)`)
      return value
    } catch (err) {
      stopSpinner()
      this.#end('✗', 'FAILED', `${label}: ${(err as Error).message}`)
      throw err
    }
  }

  /** A line that is not a step (a note between steps). */
  note(line: string): void {
    this.#out.write(`${line}\n`)
  }

  #spin(label: string): () => void {
    let i = 0
    const draw = (): void => {
      this.#out.write(`\r${FRAMES[i++ % FRAMES.length]} ${label}\x1b[K`)
    }
    draw()
    const timer = setInterval(draw, FRAME_MS)
    return () => clearInterval(timer)
  }

  #end(mark: string, word: string, text: string): void {
    if (this.#out.isTTY === true) this.#out.write(`\r${mark} ${text}\x1b[K\n`)
    else this.#out.write(`${word} ${text}\n`)
  }
}
