/**
 * The relay cluster (issue 7): relayed messages/s customer → relay → merchant over 50 channels,
 * as `relay-throughput` measures them, for three set-ups on PostgreSQL: one instance on the
 * in-process bus (the peer), one instance on NATS, and two instances on NATS with every merchant
 * on instance A and every customer on instance B, so each message crosses the bus. On NATS each
 * message is appended to the shared queue, written, announced and marked written: three store
 * round trips, two of them durable commits, and a NATS publish that the in-process bus does not
 * make. Needs PostgreSQL and NATS (`PAYLINK_TEST_PG_URL`, `PAYLINK_TEST_NATS_URL`; default the CI
 * services on 127.0.0.1).
 */
import { sql } from 'kysely'
import type WebSocket from 'ws'
import { randomId } from '../src/core/ids.ts'
import { type Bus, NatsBus } from '../src/relay/index.ts'
import { Relay } from '../src/relay/relay.ts'
import { openStore, type Store } from '../src/store/index.ts'
import {
  createChannel,
  drive,
  freePort,
  joinAs,
  Leg,
  MERCHANT_KEY,
  type Sizes,
  sizes,
} from './relay-throughput.ts'
import type { Benchmark, BenchOptions, BenchReport, Figure } from './report.ts'
import { Tally } from './tally.ts'

const CHANNELS = 50
const PG_URL = process.env['PAYLINK_TEST_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test'
const NATS_URL = process.env['PAYLINK_TEST_NATS_URL'] || 'nats://127.0.0.1:4222'

type Setup = 'memory' | 'nats1' | 'nats2'

/** One instance: a relay on its store and bus, listening on loopback. */
interface Instance {
  relay: Relay
  base: string
  bus: Bus | undefined
}

/** A set-up: its instances (one or two) on one fresh schema, and its channels' legs. */
interface Cluster {
  legs: Leg[]
  close(): Promise<void>
}

export const relayCluster: Benchmark = {
  id: 'relay-cluster',
  async run(opts) {
    const size = sizes(opts.quick)
    const tally = new Tally<Setup>({
      memory: { label: 'in-process bus', unit: 'msgs/s' },
      nats1: { label: 'NATS, 1 instance', unit: 'msgs/s' },
      nats2: { label: 'NATS, 2 instances', unit: 'msgs/s' },
    })
    const prefix = `paylinkbench.${randomId(10)}`
    const setups: Record<Setup, Cluster> = {
      memory: await openCluster(1, undefined),
      nats1: await openCluster(1, `${prefix}.one`),
      nats2: await openCluster(2, `${prefix}.two`),
    }
    try {
      await measure(tally, setups, size, opts)
    } finally {
      for (const c of Object.values(setups)) await c.close()
    }
    return report(size, tally)
  },
}

async function measure(tally: Tally<Setup>, setups: Record<Setup, Cluster>, size: Sizes, o: BenchOptions) {
  const names = Object.keys(setups) as Setup[]
  for (const name of names) await drive(setups[name].legs, size.warmupMs)
  o.progress(`warmed up for ${size.warmupMs} ms each; ${size.rounds} rounds of ${size.windowMs} ms each`)
  for (let r = 0; r < size.rounds; r++) {
    for (const name of names) {
      const run = await drive(setups[name].legs, size.windowMs)
      tally.add(name, run.count, run.seconds)
    }
    o.progress(`round ${r + 1}/${size.rounds}: ${tally.roundLine(r)}`)
  }
}

/** `instances` relays on one fresh schema; NATS when `prefix` is given. Merchants join the first, customers the last. */
async function openCluster(instances: number, prefix: string | undefined): Promise<Cluster> {
  const schema = `bench_${randomId(10).toLowerCase()}`
  const stores: Store[] = []
  const opened: Instance[] = []
  const close = async (): Promise<void> => {
    for (const i of opened) {
      await i.relay.close()
      await i.bus?.close()
    }
    const [first] = stores
    if (first !== undefined) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(first.db)
    for (const s of stores) await s.close()
  }
  try {
    for (let n = 0; n < instances; n++) {
      const store = await openStore(PG_URL, { schema })
      stores.push(store)
      opened.push(await openInstance(store, prefix))
    }
    const legs: Leg[] = []
    const first = opened[0] as Instance
    const last = opened[opened.length - 1] as Instance
    for (let c = 0; c < CHANNELS; c++) {
      const channel = await createChannel(first.base)
      const merchant = await joinAs(`${channel.wsUrl}?internal=true&token=${channel.merchantToken}`)
      const customerUrl = channel.wsUrl.replace(
        first.base.replace('http', 'ws'),
        last.base.replace('http', 'ws'),
      )
      const customer: WebSocket = await joinAs(`${customerUrl}?token=${channel.customerToken}`)
      legs.push(new Leg(customer, merchant, channel.channelId))
    }
    return {
      legs,
      close: async () => {
        for (const leg of legs) leg.done()
        await close()
      },
    }
  } catch (err) {
    await close()
    throw err
  }
}

async function openInstance(store: Store, prefix: string | undefined): Promise<Instance> {
  const bus = prefix === undefined ? undefined : await NatsBus.open({ url: NATS_URL, prefix })
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const relay = await Relay.open({
    store,
    publicUrl: base,
    merchantKeys: [MERCHANT_KEY],
    // §14.7's per-IP caps are for the public; every client here is on 127.0.0.1.
    ipCaps: { sockets: 4 * CHANNELS, joinsPerMinute: 1_000_000, restPerMinute: 1_000_000 },
    ...(bus === undefined ? {} : { bus }),
  })
  await relay.listen(port)
  return { relay, base, bus }
}

function report(size: Sizes, tally: Tally<Setup>): BenchReport {
  const rate = (s: Setup): Figure => ({ value: tally.rate(s), unit: 'msgs/s' })
  const peer = rate('memory')
  return {
    title: 'Relay cluster: messages customer → relay → merchant over NATS',
    peer:
      'one relay instance on the in-process bus (the default), PostgreSQL store, the same 50 channels ' +
      'and the same `payment` frames, one in flight per channel.',
    rows: [
      {
        what: 'one instance on NATS: each message appended to the shared PostgreSQL queue, written, announced, marked written',
        figure: rate('nats1'),
        peer,
        explanation: 'the cost of durability across instances for a channel whose legs are on one instance',
      },
      {
        what: 'two instances on NATS, every merchant on A and every customer on B: each message crosses the bus',
        figure: rate('nats2'),
        peer,
        explanation: 'the cost of a channel split across instances',
      },
    ],
    notes: [
      `${CHANNELS} channels per set-up, each created on the first instance with its merchant joined there ` +
        'and one customer joined on the last; each customer sends the `payment` frames of `relay-throughput` ' +
        'and sends the next when its merchant has the last.',
      'Every instance, PostgreSQL client and websocket client shares this one Node.js process (one ' +
        'JavaScript thread): two instances here do not have two cores, so the two-instance figure is ' +
        'the price of crossing the bus, not the capacity of a two-machine cluster. PostgreSQL and NATS ' +
        'run on the same machine, over loopback; each set-up has its own fresh schema and subject prefix.',
      `Measured in ${size.rounds} interleaved rounds of ${size.windowMs / 1000} s per set-up, after ` +
        `${size.warmupMs / 1000} s of unmeasured traffic on each. Per-round spread: ${tally.spreads()}.`,
      'Run alone: `npm run bench -- --only relay-cluster` (needs PostgreSQL and NATS: ' +
        '`PAYLINK_TEST_PG_URL`, `PAYLINK_TEST_NATS_URL`).',
    ],
  }
}
