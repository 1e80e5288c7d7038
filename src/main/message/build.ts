/**
 * The message viewer's builds. A delivery's message is not kept: it is rebuilt from the delivery's template,
 * the recipient's row and what the ledger recorded of its last send (`delivery_log.sent_json`: the Date and
 * DKIM time, the selectors that signed it, the Message-ID of a group's shared message). The composer is
 * deterministic given those (the MIME boundary is a function of the delivery and its template, the Message-ID
 * is the row's), and RSA/ed25519 signatures are deterministic, so the rebuild is the bytes the engine sent
 * (`test/integration/message-viewer.test.ts` compares them with what a loopback SMTP server received).
 */
import crypto from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import type { MessageView } from '../../shared/contract/message';
import type { MessageTemplate } from '../../shared/contract/schemas';
import { domainOf } from '../../shared/domain/address';
import { headerSources } from '../../shared/domain/message-headers';
import { compileTemplate, missingFields } from '../../shared/domain/template';
import { chooseDomainKeys, chooseKeyRows } from '../engine/dkim/key-choice';
import { readKeyFile } from '../engine/dkim/key-files';
import { parseStoredKey } from '../engine/dkim/keys';
import { signMessage, type DomainKeys, type SigningKey } from '../engine/dkim/signing';
import { createComposer } from '../engine/relay/compose';
import type { Db } from '../store/db';
import { findDkimKeyRow, keyTypeOf, listEnabledDkimKeyRows, type DkimKeyRow } from '../store/dkim-repo';
import type { SentRecord } from '../store/ledger';

export interface BuildInput {
  deliveryId: number;
  logId: number;
  email: string;
  fieldsJson: string;
  messageId: string | null;
  templateJson: string;
  at: number;
  /** The Message-ID of a group's shared message (the group's first): composed as the group got it. */
  shared: string | null;
}

export type Signing =
  | { kind: 'none'; note: string | null }
  | { kind: 'keys'; keys: DomainKeys }
  /** A key that signed the message is gone or unreadable: the message is shown unsigned, with why. */
  | { kind: 'missing'; domain: string; selectors: string[]; note: string };

/** The unsigned message, composed as the engine composes it. */
export async function composeRaw(b: BuildInput): Promise<Buffer> {
  const composer = createComposer(1);
  const date = new Date(b.at);
  if (b.shared !== null) {
    const shared = await composer.composeShared({
      deliveryId: b.deliveryId,
      messageId: b.shared === '' ? null : b.shared,
      templateJson: b.templateJson,
      date,
    });
    return shared.raw;
  }
  const one = await composer.compose({
    deliveryId: b.deliveryId,
    logId: b.logId,
    email: b.email,
    messageId: b.messageId,
    fieldsJson: b.fieldsJson,
    templateJson: b.templateJson,
    date,
  });
  return one.raw;
}

function signingKeyOf(row: DkimKeyRow): SigningKey | null {
  try {
    return { selector: row.selector, key: parseStoredKey(readKeyFile(row.key_path)) };
  } catch {
    return null;
  }
}

/**
 * The return-path domain of a message from `fromAddress`, as the engine's envelope sender makes it: the
 * `returnPath` setting's domain, else the From domain (`bounces@<From domain>`).
 */
export function envelopeDomainOf(fromAddress: string, returnPath: string | null): string {
  return domainOf(returnPath ?? fromAddress);
}

/**
 * The keys that sign mail of `fromAddress` sent with a return path at `envelopeDomain` now, chosen as the
 * engine's keyring chooses them (`chooseDomainKeys` over the keys whose file can be read).
 */
export function currentSigning(db: Db, fromAddress: string, envelopeDomain: string | null): Signing {
  const fromDomain = domainOf(fromAddress);
  const chosen = currentChoice(db, fromDomain, envelopeDomain);
  if (!chosen)
    return {
      kind: 'none',
      note:
        envelopeDomain && envelopeDomain !== fromDomain
          ? `No DKIM key for ${fromDomain}, the return-path domain ${envelopeDomain} or their parent domains: unsigned.`
          : `No DKIM key for ${fromDomain} or its parent domains: unsigned.`,
    };
  return { kind: 'keys', keys: chosen.keys };
}

/** The keys in force whose file can be read, per domain (as the engine's keyring loads them). */
function loadedKeys(db: Db): Map<string, DomainKeys> {
  const domains = new Map<string, DomainKeys>();
  for (const [domain, rows] of chooseKeyRows(listEnabledDkimKeyRows(db))) {
    const rsa = rows.rsa && signingKeyOf(rows.rsa);
    const ed25519 = rows.ed25519 && signingKeyOf(rows.ed25519);
    if (rsa || ed25519) domains.set(domain, { domain, rsa: rsa ?? null, ed25519: ed25519 ?? null });
  }
  return domains;
}

/** The engine's signing choice for a From domain and a return-path domain, with the keys in force now. */
export function currentChoice(db: Db, fromDomain: string, envelopeDomain: string | null) {
  return chooseDomainKeys(loadedKeys(db), fromDomain, envelopeDomain);
}

/** The keys that signed a sent message, by the selectors recorded at its send. */
export function recordedSigning(db: Db, dkimDomain: string | null, sent: SentRecord): Signing {
  if (dkimDomain === null || sent.keys === null)
    return {
      kind: 'none',
      note: 'The message was sent unsigned (no DKIM key for its From or return-path domain then).',
    };
  const selectors = [sent.keys.rsa, sent.keys.ed25519].filter((s): s is string => s !== null);
  const keys: DomainKeys = { domain: dkimDomain, rsa: null, ed25519: null };
  const missing: string[] = [];
  for (const selector of selectors) {
    const row = findDkimKeyRow(db, dkimDomain, selector);
    const key = row && signingKeyOf(row);
    if (!row || !key) missing.push(selector);
    else keys[keyTypeOf(row.algorithm)] = key;
  }
  if (missing.length > 0)
    return {
      kind: 'missing',
      domain: dkimDomain,
      selectors,
      note:
        `Signed by ${dkimDomain} with selector ${missing.join(', ')}, whose key has been removed since: ` +
        'the signature cannot be rebuilt, so the source below is shown without it.',
    };
  return { kind: 'keys', keys };
}

export function sign(raw: Buffer, signing: Signing, at: number): Buffer {
  return signing.kind === 'keys' ? signMessage(raw, signing.keys, new Date(at)) : raw;
}

/** A Message-ID shaped as the preparation makes them (`<id>.<delivery>.<token>@domain`), for a preview. */
export function previewMessageId(fromAddress: string): string {
  return `<0.0.${crypto.randomBytes(16).toString('hex')}@${domainOf(fromAddress) || 'localhost'}>`;
}

/** Fields the template uses that the row lacks (rendered empty). */
export function missingFieldsNote(template: MessageTemplate, columns: readonly string[]): string | null {
  const missing = new Set<string>();
  for (const [part, source] of Object.entries({
    fromName: template.fromName,
    subject: template.subject,
    text: template.text,
    html: template.html,
    ...Object.fromEntries(headerSources(template).map((h) => [h.path, h.source])),
  })) {
    const compiled = compileTemplate(source, part).template;
    if (compiled) for (const f of missingFields(compiled, columns)) missing.add(f);
  }
  if (missing.size === 0) return null;
  return `Not in this recipient's row, left empty: ${[...missing].map((f) => `{{${f}}}`).join(', ')}.`;
}

function addressText(a: AddressObject | AddressObject[] | undefined): string {
  if (!a) return '';
  return (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
}

/** The viewer's view of raw bytes: headers in order (unfolded), decoded bodies, the source. */
export async function viewOf(
  raw: Buffer,
  o: {
    kind: MessageView['kind'];
    at: number;
    fileName: string;
    signing: Signing;
    notes: string[];
  },
): Promise<MessageView> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const headers = parsed.headerLines.map((h) => {
    const colon = h.line.indexOf(':');
    return {
      name: colon < 0 ? h.key : h.line.slice(0, colon),
      value: (colon < 0 ? '' : h.line.slice(colon + 1)).replace(/\r?\n[ \t]+/g, ' ').trim(),
    };
  });
  const s = o.signing;
  const dkim =
    s.kind === 'keys'
      ? {
          domain: s.keys.domain,
          selectors: [s.keys.rsa?.selector, s.keys.ed25519?.selector].filter((x): x is string => !!x),
          note: null,
        }
      : s.kind === 'missing'
        ? { domain: s.domain, selectors: s.selectors, note: s.note }
        : { domain: null, selectors: [], note: s.note };
  return {
    kind: o.kind,
    subject: parsed.subject ?? '',
    from: addressText(parsed.from),
    to: addressText(parsed.to),
    date: Math.floor(o.at / 1000) * 1000,
    messageId: parsed.messageId ?? null,
    headers,
    text: parsed.text ?? null,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    raw: raw.toString('utf8'),
    size: raw.length,
    fileName: o.fileName,
    dkim,
    notes: o.notes,
  };
}
