/**
 * A bounded-concurrency HTTP load: every body POSTed exactly once with autocannon (one request in
 * flight per connection), each answer checked by the caller. The client shares the process with
 * the server, as a wallet on the same machine would share its cores.
 */
import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  bodies: readonly string[]
  connections: number
  /** Why an answer is wrong, or null when it is right. */
  check: (status: number, body: string) => string | null
}

export interface LoadResult {
  seconds: number
  answered: number
  /** The first few wrong answers and transport errors. */
  failures: string[]
  failureCount: number
}

/** POSTs each body once; resolves when all are answered. */
export async function postAll(opts: LoadOptions): Promise<LoadResult> {
  let next = 0
  let answered = 0
  let failureCount = 0
  const failures: string[] = []
  const fail = (why: string): void => {
    failureCount++
    if (failures.length < 5) failures.push(why)
  }
  const started = performance.now()
  // Timed to the last answer: autocannon reports completion only at its next sampling tick.
  let finished = started
  const result = await autocannon({
    url: opts.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: Math.min(opts.connections, opts.bodies.length),
    amount: opts.bodies.length,
    timeout: 30,
    sampleInt: 100,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: opts.bodies[next++ % opts.bodies.length]! }),
        onResponse: (status, body) => {
          answered++
          finished = performance.now()
          const why = opts.check(status, body)
          if (why !== null) fail(why)
        },
      },
    ],
  })
  const seconds = (finished - started) / 1000
  if (result.errors + result.timeouts > 0) fail(`${result.errors} errors, ${result.timeouts} timeouts`)
  if (next !== opts.bodies.length) fail(`${next} requests sent for ${opts.bodies.length} bodies`)
  return { seconds, answered, failures, failureCount }
}

/** One payment of the end-to-end load: its P4 URL path and the Payment body to POST there. */
export interface PaymentCall {
  path: string
  body: string
}

export interface PaymentLoadOptions {
  /** The merchant's origin, e.g. `http://127.0.0.1:8443`. */
  origin: string
  payments: readonly PaymentCall[]
  connections: number
  /** Why the PaymentRequest answer is wrong, or null. */
  checkRequest: (status: number, body: string) => string | null
  /** Why the PaymentACK answer is wrong, or null. */
  checkAck: (status: number, body: string) => string | null
}

/**
 * Each payment once, as a wallet makes it: `GET` its PaymentRequest, then on the same connection
 * `POST` the Payment; `connections` payments in flight. Every answer is checked.
 */
export async function payAll(opts: PaymentLoadOptions): Promise<LoadResult> {
  let next = 0
  let answered = 0
  let failureCount = 0
  const failures: string[] = []
  const fail = (why: string): void => {
    failureCount++
    if (failures.length < 5) failures.push(why)
  }
  const check = (verdict: string | null): void => {
    answered++
    finished = performance.now()
    if (verdict !== null) fail(verdict)
  }
  const started = performance.now()
  let finished = started
  const paymentOf = (context: Record<string, unknown>) => opts.payments[context['i'] as number]!
  const connections = Math.min(opts.connections, opts.payments.length)
  if (opts.payments.length % connections !== 0) {
    throw new Error(
      `${opts.payments.length} payments do not share out evenly over ${connections} connections`,
    )
  }
  const result = await autocannon({
    url: opts.origin,
    connections,
    // Two requests a payment; autocannon shares them out evenly, so each connection makes whole pairs.
    amount: 2 * opts.payments.length,
    timeout: 30,
    sampleInt: 100,
    requests: [
      {
        method: 'GET',
        setupRequest: (request, context) => {
          context['i'] = next++
          return { ...request, path: paymentOf(context).path, headers: { accept: 'application/json' } }
        },
        onResponse: (status, body) => check(opts.checkRequest(status, body)),
      },
      {
        method: 'POST',
        setupRequest: (request, context) => ({
          ...request,
          path: paymentOf(context).path,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: paymentOf(context).body,
        }),
        onResponse: (status, body) => check(opts.checkAck(status, body)),
      },
    ],
  })
  if (result.errors + result.timeouts > 0) fail(`${result.errors} errors, ${result.timeouts} timeouts`)
  if (next !== opts.payments.length) fail(`${next} payments started for ${opts.payments.length}`)
  return { seconds: (finished - started) / 1000, answered, failures, failureCount }
}
