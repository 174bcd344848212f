/**
 * Error bodies. ARC routes answer RFC 7807 problems with ARC's status codes (PROTOCOLS.md §12.1);
 * every other devnet route answers paylink's ClientError (PROTOCOLS.md §11).
 */

import type { PaylinkError } from '../../core/errors.ts'
import { clientErrorBody } from '../../p4/client-error.ts'
import { ARC_ERRORS, type Rejection } from '../rejection.ts'

/** ARC's RFC 7807 body for a refused transaction. */
export function arcProblem(r: Rejection): Record<string, unknown> {
  return {
    type: `https://bitcoin-sv.github.io/arc/#/errors?id=_${r.status}`,
    title: ARC_ERRORS[r.status],
    status: r.status,
    detail: r.detail,
    instance: null,
    txid: r.txid === '' ? null : r.txid,
    extraInfo: r.detail,
    ...(r.competingTxs === undefined ? {} : { competingTxs: r.competingTxs }),
  }
}

/** An RFC 7807 body for a plain HTTP failure on an ARC route. */
export function httpProblem(status: number, title: string, detail: string): Record<string, unknown> {
  return {
    type: `https://bitcoin-sv.github.io/arc/#/errors?id=_${status}`,
    title,
    status,
    detail,
    instance: null,
  }
}

/** paylink's ClientError body. */
export function clientError(err: PaylinkError): Record<string, unknown> {
  return { ...clientErrorBody(err.code, err.message), ...err.details }
}
