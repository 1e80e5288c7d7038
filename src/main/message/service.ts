/**
 * The message itself (issue 14 point 10): previews of a template for a recipient row, a delivery's message
 * rebuilt as sent (`build.ts`), and proof sends through the delivery's route.
 *
 * A proof is marked so nobody takes it for the campaign: its subject starts with "[Proof] ", it carries
 * `X-Relaydeck-Proof` instead of the trace header (so a reply or bounce to it is never tied to a recipient's
 * row), its MAIL FROM is the template's From address (not a VERP return path), and it is not written to the
 * delivery's log, counters or throughput. It is DKIM-signed with the keys in force, composed with the row's
 * fields (the proof address as `{{email}}`), and sent once, with no retry: the reply is the result.
 */
import { z } from 'zod';
import { AppError } from '../../shared/contract/errors';
import type { MessageView, ProofResult } from '../../shared/contract/message';
import { HostPort, MessageTemplate, Route, type RouteTarget } from '../../shared/contract/schemas';
import { checkAddress } from '../../shared/domain/address';
import { formatReply } from '../../shared/domain/smtp-reply';
import type { Clock } from '../clock';
import { createMxResolver } from '../engine/relay/mx';
import { ComposeError } from '../engine/relay/compose';
import { createRouter, type DeliveryRouting } from '../engine/relay/routing';
import type { DnsResolver, RelayFactory } from '../engine/types';
import type { Db } from '../store/db';
import type { SentRecord } from '../store/ledger';
import { getSetting } from '../store/settings-repo';
import { firstMessageSource, messageSource, type MessageSourceRow } from '../store/message-repo';
import {
  composeRaw,
  currentSigning,
  envelopeDomainOf,
  missingFieldsNote,
  previewMessageId,
  recordedSigning,
  sign,
  viewOf,
} from './build';

export interface MessageServiceDeps {
  db: Db;
  clock: Clock;
  dns: DnsResolver;
  relayFactory: RelayFactory;
  defaultRoute: () => RouteTarget | null;
  sandboxAddress: (domain: string) => HostPort | null;
}

export interface MessageService {
  preview(template: MessageTemplate, row: Record<string, string>): Promise<MessageView>;
  get(deliveryId: number, logId: number): Promise<MessageView>;
  proof(
    source: ProofSourceParsed,
    addresses: readonly string[],
  ): Promise<{ subject: string; results: ProofResult[] }>;
}

export type ProofSourceParsed =
  | { kind: 'delivery'; deliveryId: number; logId?: number | undefined }
  | {
      kind: 'draft';
      template: MessageTemplate;
      row: Record<string, string>;
      routes: Route[];
      smarthost: HostPort | null;
    };

export const PROOF_PREFIX = '[Proof] ';
const SAMPLE_ADDRESS = 'recipient@example.com';

const SentJson = z.object({
  at: z.number(),
  keys: z.object({ rsa: z.string().nullable(), ed25519: z.string().nullable() }).nullable(),
  shared: z.string().nullable(),
});

function parseSent(json: string | null): SentRecord | null {
  if (json === null) return null;
  try {
    const parsed = SentJson.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function templateOf(row: MessageSourceRow): MessageTemplate {
  const parsed = MessageTemplate.safeParse(JSON.parse(row.template_json));
  if (!parsed.success)
    throw new AppError('internal', `Delivery ${row.delivery_id} has a template that cannot be read`);
  return parsed.data;
}

function columnsOf(fieldsJson: string): string[] {
  try {
    const parsed: unknown = JSON.parse(fieldsJson);
    return parsed && typeof parsed === 'object' ? Object.keys(parsed) : [];
  } catch {
    return [];
  }
}

function composeFailed(err: unknown): never {
  if (err instanceof ComposeError)
    throw new AppError(
      'template_invalid',
      `The message cannot be built: ${err.message.replace(/^delivery \d+: /, '')}`,
    );
  throw err;
}

export function createMessageService(deps: MessageServiceDeps): MessageService {
  const { db, clock } = deps;
  /** The engine's return-path domain for a From address (the `returnPath` setting, else From's domain). */
  const envelopeDomain = (fromAddress: string) =>
    envelopeDomainOf(fromAddress, getSetting(db, 'returnPath') ?? null);
  const router = createRouter({
    mx: createMxResolver({ dns: deps.dns, clock, cacheMs: 60_000, random: Math.random }),
    defaultRoute: deps.defaultRoute,
    sandboxAddress: deps.sandboxAddress,
  });

  async function preview(template: MessageTemplate, row: Record<string, string>): Promise<MessageView> {
    const email = row['email'] ?? row['Email'] ?? SAMPLE_ADDRESS;
    const at = clock.now();
    const signing = currentSigning(db, template.fromAddress, envelopeDomain(template.fromAddress));
    const raw = await composeRaw({
      deliveryId: 0,
      logId: 0,
      email: checkAddress(email).ok ? email : SAMPLE_ADDRESS,
      fieldsJson: JSON.stringify(row),
      messageId: previewMessageId(template.fromAddress),
      templateJson: JSON.stringify(template),
      at,
      shared: null,
    }).catch(composeFailed);
    const notes = [missingFieldsNote(template, Object.keys(row))].filter((n): n is string => n !== null);
    return viewOf(sign(raw, signing, at), { kind: 'preview', at, fileName: 'preview.eml', signing, notes });
  }

  async function get(deliveryId: number, logId: number): Promise<MessageView> {
    const row = messageSource(db, deliveryId, logId);
    if (!row) throw new AppError('not_found', `Delivery ${deliveryId} has no recipient ${logId}`);
    const template = templateOf(row);
    const sent = parseSent(row.sent_json);
    const notes: string[] = [];
    const missing = missingFieldsNote(template, columnsOf(row.fields_json));
    if (missing) notes.push(missing);
    const at = sent?.at ?? clock.now();
    if (!sent) {
      notes.push(
        row.message_id === null
          ? 'This recipient was excluded: no message was sent. Shown as it would have been.'
          : 'Not sent yet (or sent before this version recorded sends): shown as it would be sent now.',
      );
    } else if (sent.shared !== null) {
      notes.push(
        'Sent in a transaction shared with other recipients of its domain: one message, no recipient in To.',
      );
    }
    const signing = sent
      ? recordedSigning(db, row.dkim_domain, sent)
      : currentSigning(db, template.fromAddress, envelopeDomain(template.fromAddress));
    const raw = await composeRaw({
      deliveryId,
      logId,
      email: row.email,
      fieldsJson: row.fields_json,
      messageId: row.message_id ?? previewMessageId(template.fromAddress),
      templateJson: row.template_json,
      at,
      shared: sent?.shared ?? null,
    }).catch(composeFailed);
    return viewOf(sign(raw, signing, at), {
      kind: sent ? 'sent' : 'unsent',
      at,
      fileName: `delivery-${deliveryId}-message-${logId}.eml`,
      signing,
      notes,
    });
  }

  function proofSource(source: ProofSourceParsed): {
    template: MessageTemplate;
    fieldsJson: string;
    routing: DeliveryRouting;
    label: string;
  } {
    if (source.kind === 'draft')
      return {
        template: source.template,
        fieldsJson: JSON.stringify(source.row),
        routing: { routes: source.routes, smarthost: source.smarthost },
        label: 'draft',
      };
    const row =
      source.logId !== undefined
        ? messageSource(db, source.deliveryId, source.logId)
        : firstMessageSource(db, source.deliveryId);
    if (!row)
      throw new AppError(
        'not_found',
        source.logId !== undefined
          ? `Delivery ${source.deliveryId} has no recipient ${source.logId}`
          : `Delivery ${source.deliveryId} does not exist or has no recipient`,
      );
    return {
      template: templateOf(row),
      fieldsJson: row.fields_json,
      routing: {
        routes: z.array(Route).parse(JSON.parse(row.routes_json)),
        smarthost: row.smarthost_json ? HostPort.parse(JSON.parse(row.smarthost_json)) : null,
      },
      label: `delivery ${source.deliveryId}`,
    };
  }

  async function proofTo(
    address: string,
    s: ReturnType<typeof proofSource>,
    templateJson: string,
  ): Promise<ProofResult> {
    const check = checkAddress(address);
    if (!check.ok || !check.address || !check.domain)
      return { address, outcome: 'failed', reply: check.message ?? 'not an address', host: null, via: 'mx' };
    const to = check.address;
    const resolution = await router.resolve(check.domain, s.routing);
    if (!resolution.ok)
      return {
        address: to,
        outcome: resolution.outcome.kind,
        reply: resolution.outcome.text,
        host: null,
        via: resolution.source,
      };
    const at = clock.now();
    const unsigned = await composeRaw({
      deliveryId: 0,
      logId: 0,
      email: to,
      fieldsJson: s.fieldsJson,
      messageId: null,
      templateJson,
      at,
      shared: null,
    }).catch(composeFailed);
    // The trace header (first line) would tie replies to a row: a proof names its source instead.
    const text = unsigned.toString('latin1');
    const marked = Buffer.from(
      text.replace(/^X-Relaydeck-ID: [^\r\n]*\r\n/, `X-Relaydeck-Proof: ${s.label}\r\n`),
      'latin1',
    );
    // A proof's MAIL FROM is the From address itself (no VERP): its envelope domain is From's.
    const fromAddress = s.template.fromAddress;
    const raw = sign(marked, currentSigning(db, fromAddress, envelopeDomainOf(fromAddress, null)), at);
    const relay = deps.relayFactory(resolution.destination);
    try {
      const outcome = await relay.send({ logId: 0, envelope: { from: s.template.fromAddress, to }, raw });
      return {
        address: to,
        outcome: outcome.kind,
        reply: formatReply(outcome),
        host: outcome.mxHost ?? resolution.destination.hosts[0]?.host ?? null,
        via: resolution.source,
      };
    } finally {
      await relay.close();
    }
  }

  async function proof(
    source: ProofSourceParsed,
    addresses: readonly string[],
  ): Promise<{ subject: string; results: ProofResult[] }> {
    const s = proofSource(source);
    const template = { ...s.template, subject: `${PROOF_PREFIX}${s.template.subject}` };
    const templateJson = JSON.stringify(template);
    const results: ProofResult[] = [];
    for (const address of addresses) results.push(await proofTo(address, s, templateJson));
    return { subject: template.subject, results };
  }

  return { preview, get, proof };
}
