/** Property tests: the inbound parser never throws and always returns a report, whatever it is given. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/main/engine/bounce';
import { parseInboundSync, qualifyInbound, INBOUND_KINDS } from '../../src/main/inmail/parse';
import { normaliseReply } from '../../src/main/engine/bounce/normalise';

const classifier = createClassifier();

function check(raw: Buffer | string) {
  const report = parseInboundSync(raw);
  expect(INBOUND_KINDS).toContain(report.kind);
  expect(Array.isArray(report.recipients)).toBe(true);
  expect(Array.isArray(qualifyInbound(report, classifier))).toBe(true);
}

const headerName = fc.constantFrom(
  'Content-Type',
  'From',
  'Subject',
  'Action',
  'Status',
  'Final-Recipient',
  'Auto-Submitted',
  'Content-Transfer-Encoding',
  'X-Failed-Recipients',
);
const randomCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((flags) => [...s].map((c, i) => (flags[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
const contentType = fc.constantFrom(
  'multipart/report; report-type=delivery-status; boundary=B',
  'multipart/report; report-type=feedback-report; boundary=B',
  'multipart/mixed; boundary="B"',
  'message/delivery-status',
  'message/rfc822',
  'text/rfc822-headers',
  'text/plain; charset=iso-8859-1',
  'text/plain; charset=bogus',
  'text/html; charset=utf-8',
  'multipart/alternative',
);

/** A random MIME tree with random header casing, charsets and encodings. */
const mimePart: fc.Memo<string> = fc.memo((depth) =>
  fc
    .tuple(
      randomCase('Content-Type'),
      contentType,
      fc.constantFrom('', 'base64', 'quoted-printable', '8bit'),
      fc.array(fc.tuple(headerName, fc.string({ maxLength: 40 })), { maxLength: 4 }),
      depth > 1 ? fc.array(mimePart(depth - 1), { maxLength: 3 }) : fc.constant([] as string[]),
      fc.string({ maxLength: 200 }),
    )
    .map(([ctName, ct, cte, headers, children, body]) => {
      const head = [
        `${ctName}: ${ct}`,
        cte ? `Content-Transfer-Encoding: ${cte}` : '',
        ...headers.map(([n, v]) => `${n}: ${v}`),
      ]
        .filter(Boolean)
        .join('\r\n');
      const inner = children.length
        ? children.map((c) => `--B\r\n${c}\r\n`).join('') + (body.length % 2 ? '--B--\r\n' : '')
        : body;
      return `${head}\r\n\r\n${inner}`;
    }),
);

describe('inbound parser properties', () => {
  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => check(Buffer.from(bytes))),
      { numRuns: 300 },
    );
  });

  it('never throws on random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => check(s)),
      { numRuns: 300 },
    );
  });

  it('never throws on random MIME trees with random casing, charsets and encodings', () => {
    fc.assert(
      fc.property(mimePart(4), fc.string({ maxLength: 60 }), (part, subject) =>
        check(`From: MAILER-DAEMON@mx.test\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n${part}`),
      ),
      { numRuns: 300 },
    );
  });

  it('normalisation is idempotent on its own output and never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const once = normaliseReply(s);
        expect(typeof once).toBe('string');
        expect(normaliseReply(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});
