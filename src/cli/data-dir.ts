/** Where servers keep their files by default: `--data DIR`, else `PAYLINK_DATA_DIR`, else `./.paylink`. */
import { resolve } from 'node:path'

export function dataDir(flag?: string): string {
  return resolve(flag ?? process.env['PAYLINK_DATA_DIR'] ?? '.paylink')
}
