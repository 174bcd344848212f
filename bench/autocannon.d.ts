/** The part of autocannon 8's programmatic API the benchmarks use (the package ships no types). */
declare module 'autocannon' {
  /** One request of the sequence each connection cycles through. */
  export interface AutocannonRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    /** Called before each request is sent; returns the request to send. */
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest
    /** Called with each response to this request. */
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void
  }

  export interface AutocannonOptions {
    url: string
    connections?: number
    /** Total requests to make; overrides `duration`. */
    amount?: number
    pipelining?: number
    /** Milliseconds between samples; the result is emitted at the first sample after the end. */
    sampleInt?: number
    /** Seconds to wait for each response. */
    timeout?: number
    method?: string
    headers?: Record<string, string>
    requests?: AutocannonRequest[]
  }

  export interface AutocannonResult {
    /** Seconds the run took. */
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    mismatches: number
  }

  export default function autocannon(opts: AutocannonOptions): Promise<AutocannonResult>
}
