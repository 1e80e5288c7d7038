/**
 * The message checks of the delivery analysis: what receivers require of a bulk message (List-Unsubscribe with
 * one-click, RFC 8058) and what makes it look careless or deceptive (size past Gmail's clipping, no text part,
 * images without alt text, links whose visible address is another domain than their target, personalisation
 * fields empty for some recipients). They read one message built as it will be sent, for the list's first
 * recipient, plus the fields' gaps counted over the whole list.
 */
import { Parser } from 'htmlparser2';
import type { AnalysisCheck } from '../../shared/contract/analysis';

/** The message as built for one recipient. */
export interface BuiltMessage {
  /** Size of the whole message as sent (headers and MIME body), in bytes. */
  sizeBytes: number;
  /** Header fields in order, names as written. */
  headers: readonly (readonly [string, string])[];
  text: string;
  html: string;
}

/** A personalisation field empty or missing for some recipients of the list. */
export interface FieldGap {
  field: string;
  recipients: number;
  /** A few list lines where it is empty. */
  exampleLines: number[];
}

/** Gmail clips a message whose HTML is over 102 KB; warn a little below, over the whole message. */
export const SIZE_WARNING_BYTES = 100 * 1024;

const AREA = 'message' as const;

function header(message: BuiltMessage, name: string): string[] {
  const lower = name.toLowerCase();
  return message.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The `<…>` URIs of a List-Unsubscribe value (RFC 2369). */
export function unsubscribeUris(value: string): string[] {
  return [...value.matchAll(/<([^>]*)>/g)].map((m) => (m[1] ?? '').trim());
}

export function checkUnsubscribe(message: BuiltMessage): AnalysisCheck {
  const id = 'message.unsubscribe';
  const fix =
    'Add List-Unsubscribe with an https link (and a mailto if you have one) and ' +
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click to the template’s headers.';
  const values = header(message, 'List-Unsubscribe');
  if (values.length === 0)
    return {
      id,
      area: AREA,
      result: 'error',
      title: 'No List-Unsubscribe header',
      explanation:
        'Since 2024 Gmail and Yahoo require bulk senders to offer one-click unsubscription (RFC 8058); ' +
        'without it their messages are more likely refused or junked.',
      fix,
    };
  const uris = values.flatMap(unsubscribeUris);
  const https = uris.filter((u) => /^https:\/\//i.test(u));
  const post = header(message, 'List-Unsubscribe-Post').map((v) => v.trim());
  const oneClick = post.some((v) => /^List-Unsubscribe=One-Click$/i.test(v));
  if (uris.length === 0)
    return {
      id,
      area: AREA,
      result: 'error',
      title: 'List-Unsubscribe has no <URI>',
      explanation:
        'Each unsubscribe address must be written in angle brackets, e.g. <https://…> or <mailto:…>.',
      fix,
      details: values.map((v) => `Found: ${v}`),
    };
  if (https.length === 0 || !oneClick)
    return {
      id,
      area: AREA,
      result: 'warning',
      title:
        https.length === 0
          ? 'List-Unsubscribe has no https link: no one-click unsubscription'
          : 'No List-Unsubscribe-Post: List-Unsubscribe=One-Click header',
      explanation:
        'Gmail and Yahoo require one-click unsubscription from bulk senders: an https List-Unsubscribe URI ' +
        'together with List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).',
      fix,
      details: values.map((v) => `Found: ${v}`),
    };
  return {
    id,
    area: AREA,
    result: 'pass',
    title: 'One-click unsubscription offered',
    explanation:
      'List-Unsubscribe has an https link and List-Unsubscribe-Post asks for one-click (RFC 8058).',
    details: values.map((v) => `List-Unsubscribe: ${v}`),
  };
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function checkSize(message: BuiltMessage): AnalysisCheck {
  const htmlBytes = Buffer.byteLength(message.html, 'utf8');
  if (message.sizeBytes > SIZE_WARNING_BYTES)
    return {
      id: 'message.size',
      area: AREA,
      result: 'warning',
      title: `Message of ${kb(message.sizeBytes)} (HTML ${kb(htmlBytes)})`,
      explanation:
        'Gmail clips messages whose HTML is over 102 KB behind a "View entire message" link, hiding the end ' +
        '(often the unsubscribe link and the tracking pixel). Large messages are also slower to deliver.',
      fix: 'Trim the HTML (inline styles, comments, unused markup) and link to large images instead of embedding them.',
    };
  return {
    id: 'message.size',
    area: AREA,
    result: 'pass',
    title: `Message of ${kb(message.sizeBytes)}`,
    explanation: 'Under the 100 KB where Gmail starts clipping.',
  };
}

export function checkTextPart(message: BuiltMessage): AnalysisCheck {
  if (message.html.trim() !== '' && message.text.trim() === '')
    return {
      id: 'message.text',
      area: AREA,
      result: 'warning',
      title: 'No text part',
      explanation:
        'The message is HTML only. Spam filters score HTML-only mail worse, and some readers show nothing.',
      fix: 'Write a plain-text version of the message in the template.',
    };
  return {
    id: 'message.text',
    area: AREA,
    result: 'pass',
    title: message.html.trim() === '' ? 'Text-only message' : 'Text part present',
    explanation:
      message.html.trim() === ''
        ? 'The message has a text part only.'
        : 'The message has both an HTML and a text part.',
  };
}

/** The host of a URL-looking string (`https://a.example/x`, `www.a.example`, `a.example/path`), lower-cased. */
export function visibleHost(text: string): string | null {
  const t = text.trim();
  const m =
    /^(?:[a-z][a-z0-9+.-]*:\/\/)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?::\d+)?(?:[/?#]\S*)?$/i.exec(
      t,
    );
  return m?.[1]?.toLowerCase() ?? null;
}

function hrefHost(href: string): string | null {
  try {
    const url = new URL(href.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** Hosts are the same site when one is the other or a subdomain of it (`www.shop.example` ~ `shop.example`). */
function sameSite(a: string, b: string): boolean {
  const strip = (h: string) => h.replace(/^www\./, '');
  const x = strip(a);
  const y = strip(b);
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
}

interface HtmlFacts {
  imagesWithoutAlt: string[];
  images: number;
  mismatchedLinks: { text: string; href: string }[];
}

export function readHtml(html: string): HtmlFacts {
  const facts: HtmlFacts = { imagesWithoutAlt: [], images: 0, mismatchedLinks: [] };
  let link: { href: string; text: string } | null = null;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'img') {
          facts.images++;
          if (attributes.alt === undefined) facts.imagesWithoutAlt.push(attributes.src ?? '(no src)');
        } else if (name === 'a' && attributes.href !== undefined) {
          link = { href: attributes.href, text: '' };
        }
      },
      ontext(text) {
        if (link) link.text += text;
      },
      onclosetag(name) {
        if (name !== 'a' || !link) return;
        const shown = visibleHost(link.text);
        const target = hrefHost(link.href);
        if (shown && target && !sameSite(shown, target))
          facts.mismatchedLinks.push({ text: link.text.trim(), href: link.href.trim() });
        link = null;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return facts;
}

const EXAMPLES = 5;

export function checkHtml(message: BuiltMessage): AnalysisCheck[] {
  if (message.html.trim() === '') return [];
  const facts = readHtml(message.html);
  const checks: AnalysisCheck[] = [];
  const noAlt = facts.imagesWithoutAlt;
  checks.push(
    noAlt.length > 0
      ? {
          id: 'message.images',
          area: AREA,
          result: 'warning',
          title: `${noAlt.length} of ${facts.images} images without alt text`,
          explanation:
            'Most readers block images until the reader allows them; alt text is what shows meanwhile, and ' +
            'what screen readers say. Image-only content with no text is also scored as spam.',
          fix: 'Give every <img> an alt attribute (alt="" for decorative images).',
          details: noAlt.slice(0, EXAMPLES),
        }
      : {
          id: 'message.images',
          area: AREA,
          result: 'pass',
          title: facts.images === 0 ? 'No images' : `All ${facts.images} images have alt text`,
          explanation: 'Nothing to fix.',
        },
  );
  const bad = facts.mismatchedLinks;
  checks.push(
    bad.length > 0
      ? {
          id: 'message.links',
          area: AREA,
          result: 'warning',
          title: `${bad.length} ${bad.length === 1 ? 'link shows' : 'links show'} another address than the target`,
          explanation:
            'A link whose visible text is an address on one domain but that leads to another is what phishing ' +
            'does; filters score it heavily (click-tracking domains included).',
          fix: 'Make the visible text a phrase, not an address, or make it the address the link really opens.',
          details: bad.slice(0, EXAMPLES).map((l) => `“${l.text}” → ${l.href}`),
        }
      : {
          id: 'message.links',
          area: AREA,
          result: 'pass',
          title: 'Links show where they lead',
          explanation: 'No visible address differs from its link’s target.',
        },
  );
  return checks;
}

export function checkFields(gaps: readonly FieldGap[], total: number): AnalysisCheck {
  if (gaps.length === 0)
    return {
      id: 'message.fields',
      area: AREA,
      result: 'pass',
      title: 'Every personalisation field has a value for every recipient',
      explanation: 'No recipient gets a message with an empty {{field}}.',
    };
  return {
    id: 'message.fields',
    area: AREA,
    result: 'warning',
    title: `Personalisation fields empty for some recipients: ${gaps.map((g) => g.field).join(', ')}`,
    explanation:
      'These recipients get the message with the field left empty ("Hello ,"), which reads as careless ' +
      'and lowers engagement.',
    fix: 'Fill the column in the list, or reword the template so an empty value reads well.',
    details: gaps.map(
      (g) =>
        `${g.field}: empty for ${g.recipients} of ${total} recipients (lines ${g.exampleLines.join(', ')}${
          g.recipients > g.exampleLines.length ? ', …' : ''
        })`,
    ),
  };
}

export function checkMessage(
  message: BuiltMessage,
  gaps: readonly FieldGap[],
  total: number,
): AnalysisCheck[] {
  return [
    checkUnsubscribe(message),
    checkSize(message),
    checkTextPart(message),
    ...checkHtml(message),
    checkFields(gaps, total),
  ];
}
