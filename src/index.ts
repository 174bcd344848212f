/**
 * paylink's public API. Each folder also has its own subpath export (`paylink/core`,
 * `paylink/chain`, `paylink/devnet`, `paylink/store`); this face lists the names most callers need.
 */
export {
  type Clock,
  ERROR_CODES,
  type ErrorCode,
  isPaylinkError,
  PaylinkError,
  systemClock,
} from './core/index.ts'
export { Devnet, type DevnetOptions, type DevnetUrls } from './devnet/index.ts'
export { openStore, type Store } from './store/index.ts'
