/** The basic REST model, every party a real process, each on its own SQLite file (`rest-processes.ts`). */
import { restProcessesSuite } from './rest-processes.ts'

restProcessesSuite()
