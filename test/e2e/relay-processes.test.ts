/** The relay models, every party a real process, each on its own SQLite file (`relay-processes.ts`). */
import { relayProcessesSuite } from './relay-processes.ts'

relayProcessesSuite()
