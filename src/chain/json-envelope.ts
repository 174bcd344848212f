/**
 * JSONEnvelope (BRFC 298e080a4598, `bitcoin-sv-specs/brfc-misc:jsonenvelope/README.md`;
 * protocols-p4.md §12.3): a payload carried as a string so its signature survives re-marshalling.
 * ECDSA secp256k1 over SHA-256 of the payload's bytes, DER signature hex, compressed key hex;
 * `signature` and `publicKey` both null = unsigned.
 */
import type { PrivateKey } from '@bsv/sdk'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { z } from 'zod'
import { bytesToHex, bytesToUtf8, hexToBytes, utf8ToBytes } from '../core/bytes.ts'
import type { ErrorCode } from '../core/error-codes.ts'
import { PaylinkError } from '../core/errors.ts'
import { sha256 } from '../core/hash.ts'

/** The two payload encodings, spelled as we emit them (either case is read). */
export type JsonEnvelopeEncoding = 'UTF-8' | 'base64'

/** The wire shape; a missing `signature`/`publicKey` reads as null, `encoding` in any case. */
export const jsonEnvelopeSchema = z.object({
  payload: z.string(),
  signature: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  publicKey: z
    .string()
    .nullish()
    .transform((v) => v ?? null),
  encoding: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['utf-8', 'base64']))
    .transform((v): JsonEnvelopeEncoding => (v === 'utf-8' ? 'UTF-8' : 'base64')),
  mimetype: z.string(),
})

/** A JSONEnvelope. */
export type JsonEnvelope = z.infer<typeof jsonEnvelopeSchema>

/** Parses an envelope at a trust boundary; another shape throws `code` (a proof callback's by default). */
export function parseJsonEnvelope(json: unknown, code: ErrorCode = 'PL6002'): JsonEnvelope {
  const parsed = jsonEnvelopeSchema.safeParse(json)
  if (!parsed.success) {
    throw new PaylinkError(code, 'not a JSONEnvelope', { details: { errors: z.flattenError(parsed.error) } })
  }
  return parsed.data
}

/** Whether the envelope carries a signature and key (both null = unsigned). */
export function isSigned(env: JsonEnvelope): env is JsonEnvelope & { signature: string; publicKey: string } {
  return env.signature !== null && env.publicKey !== null
}

function hexOf(value: number[] | string): string {
  return typeof value === 'string' ? value : bytesToHex(value)
}

/**
 * Signs `payload` (UTF-8) with `privateKey`. `@bsv/sdk` `PrivateKey.sign` hashes its message with
 * SHA-256 itself, so it is given the payload bytes, not their hash. Low-S, RFC 6979 nonce.
 */
export function signEnvelope(
  payload: string,
  privateKey: PrivateKey,
  mimetype = 'application/json',
): JsonEnvelope {
  const signature = privateKey.sign(Array.from(utf8ToBytes(payload)))
  return {
    payload,
    signature: hexOf(signature.toDER('hex')),
    publicKey: hexOf(privateKey.toPublicKey().toDER('hex')),
    encoding: 'UTF-8',
    mimetype,
  }
}

function base64ToBytes(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
  } catch {
    return undefined
  }
}

function isJsonMimetype(mimetype: string): boolean {
  return mimetype.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

/**
 * The byte strings a valid signature may cover, in order: the payload as carried (the spec form);
 * for base64, the decoded bytes (the brfc-misc README's image example is signed so); for
 * application/json, the payload with every backslash removed (`libsv/go-bk` strips them).
 */
function signedForms(env: JsonEnvelope): Uint8Array[] {
  const forms = [utf8ToBytes(env.payload)]
  if (env.encoding === 'base64') {
    const decoded = base64ToBytes(env.payload)
    if (decoded !== undefined) forms.push(decoded)
  }
  if (isJsonMimetype(env.mimetype) && env.payload.includes('\\')) {
    forms.push(utf8ToBytes(env.payload.replaceAll('\\', '')))
  }
  return forms
}

function verifyDigest(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    // Old signers may emit high-S signatures; they are valid ECDSA, so `lowS` is not enforced.
    return secp256k1.verify(signature, digest, publicKey, { prehash: false, format: 'der', lowS: false })
  } catch {
    return false
  }
}

/**
 * Whether a signed envelope verifies (§12.3). With `expectedPublicKey` (the configured miner key)
 * `publicKey` must equal it. Unsigned or malformed envelopes give false, never a throw.
 */
export function verifyEnvelope(env: JsonEnvelope, expectedPublicKey?: string): boolean {
  if (!isSigned(env)) return false
  if (expectedPublicKey !== undefined && env.publicKey.toLowerCase() !== expectedPublicKey.toLowerCase()) {
    return false
  }
  let signature: Uint8Array
  let publicKey: Uint8Array
  try {
    signature = hexToBytes(env.signature)
    publicKey = hexToBytes(env.publicKey)
  } catch {
    return false
  }
  return signedForms(env).some((form) => verifyDigest(signature, sha256(form), publicKey))
}

/** Like `verifyEnvelope`, but throws `PL6005` where it would return false. */
export function assertEnvelopeVerifies(env: JsonEnvelope, expectedPublicKey?: string): void {
  if (!verifyEnvelope(env, expectedPublicKey)) throw new PaylinkError('PL6005')
}

/**
 * The payload as JSON: parsed from the string (UTF-8), or from the decoded bytes (base64).
 * Call after verification (§12.3). Text that is not JSON throws `code`.
 */
export function parseEnvelopePayload(env: JsonEnvelope, code: ErrorCode = 'PL6002'): unknown {
  try {
    if (env.encoding === 'UTF-8') return JSON.parse(env.payload)
    const bytes = base64ToBytes(env.payload)
    if (bytes === undefined) throw new TypeError('payload is not base64')
    return JSON.parse(bytesToUtf8(bytes))
  } catch (cause) {
    throw new PaylinkError(code, 'JSONEnvelope payload is not JSON', { cause })
  }
}
