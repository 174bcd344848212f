/**
 * The Amiko message schemas (protocols-amiko.md §3 field types, §4 pay-link messages, §5 network
 * messages, §11 channel sub-messages) and their parsers. A message is a JSON object with `_class`;
 * unknown fields are stripped; `ID` is optional on input everywhere because the receiver overwrites
 * it (§2.2). `ChannelMessage.message` is parsed as a channel sub-message in the same pass.
 */
import { z } from 'zod'
import { utf8ToBytes } from '../../core/bytes.ts'
import { isDice, isHex20, isHex32, isKey, isMeetingPointId, isPaymentId, isSig } from './ids.ts'

/** Largest `receipt` text, in UTF-8 bytes (§3). */
export const MAX_RECEIPT_BYTES = 4096
/** Largest number of meeting points a Receipt may offer. */
export const MAX_MEETING_POINTS = 16

const hex20 = z.string().refine(isHex20, 'expected 40 lowercase hex chars')
const hex32 = z.string().refine(isHex32, 'expected 64 lowercase hex chars')
const key = z.string().refine(isKey, 'expected a compressed public key, 66 lowercase hex chars')
const sig = z.string().refine(isSig, 'expected a signature, 128 lowercase hex chars')
const payment = z.int().min(1)
const funds = z.int().min(0)
const time = z.int().min(0)
const count = z.int().min(0)
const channelIndex = z.int().min(0)
const port = z.int().min(1).max(65_535)
const meetingPointID = z.string().refine(isMeetingPointId, 'expected a meeting point ID')
const receipt = z
  .string()
  .refine((s) => utf8ToBytes(s).length <= MAX_RECEIPT_BYTES, 'receipt over 4096 bytes')
/** Any `ID` but a connect message's is ignored and overwritten by the receiver (§2.2): never rejected. */
const ignoredID = z.string().optional().catch(undefined)
/** The `ID` of a connect message binds the connection, so its form is checked. */
const bindingID = z.string().refine(isPaymentId, 'expected 1–64 chars of [A-Za-z0-9._~-]')

type ClassSchema = z.ZodObject<{ _class: z.ZodLiteral<string> }>

/** The discriminated union of a `_class → schema` table. */
function union<T extends Record<string, ClassSchema>>(schemas: T) {
  return z.discriminatedUnion('_class', Object.values(schemas) as [T[keyof T], ...T[keyof T][]])
}

// §11 channel sub-messages, carried in ChannelMessage.message.
const channelSchemas = {
  // `remoteAmount` is paylink's: the funds the opener asks the acceptor to add (`deposit --remote`).
  SignedIOUChannel_Open: z.object({
    _class: z.literal('SignedIOUChannel_Open'),
    amount: funds,
    remoteAmount: funds.optional(),
  }),
  SignedIOUChannel_Accept: z.object({ _class: z.literal('SignedIOUChannel_Accept'), amount: funds }),
  SignedIOUChannel_State: z.object({
    _class: z.literal('SignedIOUChannel_State'),
    countA: count,
    countB: count,
    stateHash: hex32,
    signature: sig,
  }),
  SignedIOUChannel_Withdraw: z.object({ _class: z.literal('SignedIOUChannel_Withdraw') }),
}
const channelSubMessage = union(channelSchemas)

const route = { ID: ignoredID, transactionID: hex20, isPayerSide: z.boolean() }
const shown = { ID: ignoredID, token: hex32, isPayerSide: z.boolean() }

const messageSchemas = {
  // §4 pay link
  Pay: z.object({ _class: z.literal('Pay'), ID: bindingID.optional() }),
  Receipt: z.object({
    _class: z.literal('Receipt'),
    ID: ignoredID,
    amount: payment,
    receipt,
    transactionID: hex20,
    meetingPoints: z.array(meetingPointID).min(1).max(MAX_MEETING_POINTS),
    signature: sig.optional(),
    payeeKey: key.optional(),
  }),
  Confirm: z.object({ _class: z.literal('Confirm'), ID: ignoredID, meetingPointID }),
  Cancel: z.object({ _class: z.literal('Cancel'), ID: ignoredID }),
  HavePayeeRoute: z.object({ _class: z.literal('HavePayeeRoute'), ID: ignoredID, transactionID: hex20 }),
  Commit: z.object({ _class: z.literal('Commit'), ID: ignoredID, token: hex32 }),
  // §5 network
  ConnectLink: z.object({
    _class: z.literal('ConnectLink'),
    // The acceptor's answer carries the connector's callbackID, which may be null (§2.3).
    ID: bindingID.nullable().optional(),
    dice: z.string().refine(isDice, 'expected 8 lowercase hex chars'),
    callbackHost: z.string().min(1).max(255).nullable(),
    callbackPort: port.nullable(),
    callbackID: bindingID.nullable(),
    nodeKey: key,
    challenge: hex32.nullable(),
    signature: sig,
  }),
  Deposit: z.object({ _class: z.literal('Deposit'), ID: ignoredID, channelIndex, channelClass: z.string() }),
  ChannelMessage: z.object({
    _class: z.literal('ChannelMessage'),
    ID: ignoredID,
    channelIndex,
    message: channelSubMessage,
  }),
  MakeRoute: z.object({
    _class: z.literal('MakeRoute'),
    ...route,
    amount: payment,
    meetingPointID,
    startTime: time.nullable(),
    endTime: time.nullable(),
    channelIndex,
  }),
  HaveRoute: z.object({
    _class: z.literal('HaveRoute'),
    ...route,
    startTime: time,
    endTime: time,
    meetingPointSignature: sig.optional(),
  }),
  HaveNoRoute: z.object({ _class: z.literal('HaveNoRoute'), ...route }),
  CancelRoute: z.object({ _class: z.literal('CancelRoute'), ...route }),
  Lock: z.object({
    _class: z.literal('Lock'),
    ...route,
    amount: payment,
    startTime: time,
    endTime: time,
    channelIndex,
  }),
  RequestCommit: z.object({ _class: z.literal('RequestCommit'), ...shown }),
  SettleCommit: z.object({ _class: z.literal('SettleCommit'), ...shown }),
  SettleRollback: z.object({ _class: z.literal('SettleRollback'), ...route }),
}

/** Schema of any message (§4, §5), discriminated by `_class`. */
export const messageSchema = union(messageSchemas)
/** Schema of any channel sub-message (§11). */
export const channelSubMessageSchema = channelSubMessage

/** Any pay-link or network message. */
export type Message = z.infer<typeof messageSchema>
/** A message's `_class`. */
export type MessageClass = Message['_class']
/** The message of one `_class`, e.g. `MessageOf<'Lock'>`. */
export type MessageOf<C extends MessageClass> = Extract<Message, { _class: C }>
/** Any channel sub-message. */
export type ChannelSubMessage = z.infer<typeof channelSubMessage>
/** A channel sub-message's `_class`. */
export type ChannelSubMessageClass = ChannelSubMessage['_class']
/** The channel sub-message of one `_class`. */
export type ChannelSubMessageOf<C extends ChannelSubMessageClass> = Extract<ChannelSubMessage, { _class: C }>

/** A parse outcome: the typed message, or the code the receiver rejects it with (§2.1). */
export type ParseResult<T> =
  | { ok: true; message: T }
  | { ok: false; code: 'AMIKO_UNKNOWN_CLASS' | 'AMIKO_BAD_FIELD'; detail: string }

function isRecord(obj: unknown): obj is Record<string, unknown> {
  return typeof obj === 'object' && obj !== null && !Array.isArray(obj)
}

function classOf(obj: unknown): unknown {
  return isRecord(obj) ? obj['_class'] : undefined
}

function parseBy<T>(schemas: Record<string, z.ZodType<T>>, obj: unknown, where = ''): ParseResult<T> {
  const cls = classOf(obj)
  const schema = typeof cls === 'string' && Object.hasOwn(schemas, cls) ? schemas[cls] : undefined
  if (schema === undefined)
    return { ok: false, code: 'AMIKO_UNKNOWN_CLASS', detail: `${where}_class ${String(cls)}` }
  const parsed = schema.safeParse(obj)
  if (parsed.success) return { ok: true, message: parsed.data }
  const issue = parsed.error.issues[0]
  const path = issue?.path.map(String).join('.') ?? ''
  return { ok: false, code: 'AMIKO_BAD_FIELD', detail: `${cls}.${path}: ${issue?.message ?? 'invalid'}` }
}

/** Parses a `message` object (§4, §5); an unknown sub-message class is `AMIKO_UNKNOWN_CLASS` too. */
export function parseMessage(obj: unknown): ParseResult<Message> {
  const inner = classOf(obj) === 'ChannelMessage' ? (obj as { message?: unknown }).message : undefined
  if (isRecord(inner)) {
    const sub = parseChannelMessage(inner)
    if (!sub.ok && sub.code === 'AMIKO_UNKNOWN_CLASS')
      return { ...sub, detail: `ChannelMessage.message.${sub.detail}` }
  }
  return parseBy<Message>(messageSchemas, obj)
}

/** Parses a channel sub-message (§11). */
export function parseChannelMessage(obj: unknown): ParseResult<ChannelSubMessage> {
  return parseBy<ChannelSubMessage>(channelSchemas, obj)
}
