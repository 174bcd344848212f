/**
 * Rates measured in interleaved rounds: each measure adds (work done, seconds taken) per round;
 * its figure is all its work over all its time, so a slow moment of the machine weighs as long as
 * it lasted, and it hits every measure of the round alike.
 */

/** How a measure is shown in progress lines: a short label and its unit. */
export interface Measure {
  label: string
  unit: string
}

export class Tally<Name extends string> {
  readonly #measures: Record<Name, Measure>
  readonly #samples = new Map<Name, { count: number; seconds: number }[]>()

  constructor(measures: Record<Name, Measure>) {
    this.#measures = measures
  }

  add(name: Name, count: number, seconds: number): void {
    const samples = this.#samples.get(name) ?? []
    samples.push({ count, seconds })
    this.#samples.set(name, samples)
  }

  /** All the work of `name` over all its time. */
  rate(name: Name): number {
    const samples = this.#samples.get(name) ?? []
    const count = samples.reduce((n, s) => n + s.count, 0)
    const seconds = samples.reduce((n, s) => n + s.seconds, 0)
    return count / seconds
  }

  /** Each measure's rate in round `round` (0-based), one line. */
  roundLine(round: number): string {
    return this.#each((name, m) => {
      const s = this.#samples.get(name)?.[round]
      return s === undefined ? undefined : `${m.label} ${Math.round(s.count / s.seconds)} ${m.unit}`
    })
  }

  /** Each measure's lowest and highest round rate, one line. */
  spreads(): string {
    return this.#each((name, m) => {
      const rates = (this.#samples.get(name) ?? []).map((s) => s.count / s.seconds)
      if (rates.length === 0) return undefined
      const low = Math.round(Math.min(...rates))
      const high = Math.round(Math.max(...rates))
      return `${m.label} ${low}–${high} ${m.unit}`
    })
  }

  #each(show: (name: Name, m: Measure) => string | undefined): string {
    const entries = Object.entries(this.#measures) as [Name, Measure][]
    return entries
      .map(([name, m]) => show(name, m))
      .filter((s) => s !== undefined)
      .join(', ')
  }
}
