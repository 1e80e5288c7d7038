/**
 * Contract of the message itself (issue 14 point 10): the message viewer (`messages.preview` for a template
 * and a recipient row before anything is sent, `messages.get` for a delivery's message as it was sent, rebuilt
 * byte for byte), proof sends (`messages.proof`) and saved templates (`templates.save`, `templates.remove`, next
 * to `templates.list`). `messageMethods` is spread into `contract` (index.ts).
 */
import { z } from 'zod';
import { EpochMs, HostPort, Id, MessageTemplate, Route, SavedTemplate } from './schemas';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, description: string) {
  return { input, output, description };
}

/** Proof sends per call: a proof goes to a few people, never to a list. */
export const MAX_PROOF_ADDRESSES = 10;

export const MessageHeader = z.object({ name: z.string(), value: z.string() });
export type MessageHeader = z.infer<typeof MessageHeader>;

export const MessageView = z.object({
  /** What the message is: a preview before any send, or a delivery's message as sent (or as it will be). */
  kind: z.enum(['preview', 'sent', 'unsent']),
  subject: z.string(),
  from: z.string(),
  to: z.string(),
  /** The Date header's time. */
  date: EpochMs,
  messageId: z.string().nullable(),
  /** The header block in order, unfolded, DKIM-Signature included. */
  headers: z.array(MessageHeader),
  /** The decoded bodies (null when the message has none of that kind). */
  text: z.string().nullable(),
  html: z.string().nullable(),
  /** The whole message as sent on the wire (CRLF line ends, before SMTP dot-stuffing). */
  raw: z.string(),
  size: z.number().int(),
  /** A file name for the .eml download. */
  fileName: z.string(),
  dkim: z.object({
    /** The signing domain (`d=`), null when unsigned. */
    domain: z.string().nullable(),
    selectors: z.array(z.string()),
    /** Plain-language remark (why it is unsigned, a key removed since the send...), null when none. */
    note: z.string().nullable(),
  }),
  /** Plain-language remarks about this view (fields missing from the row, built as it will be sent...). */
  notes: z.array(z.string()),
});
export type MessageView = z.infer<typeof MessageView>;

/** One recipient's row: its CSV columns (the address in `email` or the list's address column). */
const RecipientRow = z.record(z.string().max(200), z.string().max(100_000));

export const MessagePreviewInput = z.object({
  template: MessageTemplate,
  /** The recipient's CSV columns; `email` is the address (a sample address when absent). */
  row: RecipientRow.default({}),
});

export const MessageGetInput = z.object({ deliveryId: Id, logId: Id });

/** A proof of a delivery's message (as its recipient `logId`, or its first recipient) or of a draft. */
export const ProofSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delivery'), deliveryId: Id, logId: Id.optional() }),
  z.object({
    kind: z.literal('draft'),
    template: MessageTemplate,
    row: RecipientRow.default({}),
    routes: z.array(Route).max(500).default([]),
    smarthost: HostPort.nullable().default(null),
  }),
]);

export const ProofInput = z.object({
  source: ProofSource,
  addresses: z.array(z.string().max(254)).min(1).max(MAX_PROOF_ADDRESSES),
});

export const ProofResult = z.object({
  address: z.string(),
  outcome: z.enum(['accepted', 'deferred', 'failed']),
  /** The receiver's reply (or why nothing was sent), as one line. */
  reply: z.string(),
  /** Where it went: the route's host, or the MX host. */
  host: z.string().nullable(),
  /** Which route was used: the delivery's route, its smart host, the default route, or MX. */
  via: z.enum(['route', 'smarthost', 'default', 'mx']),
});
export type ProofResult = z.infer<typeof ProofResult>;

export const TemplateSaveInput = z.object({
  /** Replace this saved template; absent: save a new one. */
  id: Id.optional(),
  name: z.string().trim().min(1, 'Give the template a name').max(200),
  template: MessageTemplate,
});

export const messageMethods = {
  'messages.preview': method(
    MessagePreviewInput,
    MessageView,
    'The message a template gives for one recipient row: headers, text, HTML, raw source with its DKIM signature',
  ),
  'messages.get': method(
    MessageGetInput,
    MessageView,
    "A delivery's message to one recipient, rebuilt byte for byte as it was sent",
  ),
  'messages.proof': method(
    ProofInput,
    z.object({ subject: z.string(), results: z.array(ProofResult) }),
    "Send a proof ([Proof] subject, no trace in the delivery) to a few addresses through the delivery's route",
  ),
  'templates.save': method(TemplateSaveInput, SavedTemplate, 'Save a message template (new, or replace one)'),
  'templates.remove': method(
    z.object({ id: Id }),
    z.object({ removed: z.boolean() }),
    'Delete a saved template',
  ),
} as const;
