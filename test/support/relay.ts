/** A real relay (src/relay) in this process on loopback, on its own SQLite store, for one merchant key. */
import { Relay } from '../../src/relay/relay.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { tempDb } from './devnet.ts'
import { freePort } from './ports.ts'

export interface TestRelay {
  /** The running relay (a new object after `reopen`). */
  relay: Relay
  store: Store
  port: number
  url: string
  /** Opens the relay again on the same store and port, after `relay.close()`: a process restart. */
  reopen(): Promise<void>
  close(): Promise<void>
}

export async function startRelay(merchantKey: string): Promise<TestRelay> {
  const store = await openStore(tempDb('relay'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const open = async (): Promise<Relay> => {
    const relay = await Relay.open({ store, publicUrl: url, merchantKeys: [merchantKey] })
    await relay.listen(port)
    return relay
  }
  const running: TestRelay = {
    relay: await open(),
    store,
    port,
    url,
    async reopen() {
      running.relay = await open()
    },
    async close() {
      await running.relay.close()
      await store.close()
    },
  }
  return running
}
