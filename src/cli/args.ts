/** Adapts config parsers to commander, so a bad argument gets commander's one-line error. */
import { InvalidArgumentError } from 'commander'

export function argParser<T>(parse: (raw: string) => T): (raw: string) => T {
  return (raw) => {
    try {
      return parse(raw)
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message)
    }
  }
}
