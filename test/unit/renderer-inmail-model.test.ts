import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INBOUND_MESSAGE_KINDS, type ImapSettings } from '../../src/shared/contract/bounce';
import {
  bytesToBase64,
  describeImap,
  describeListener,
  imapFromForm,
  imapToForm,
  isImportable,
  KIND_LABELS,
} from '../../src/renderer/features/inmail/inmail-model';

const SETTINGS: ImapSettings = {
  host: 'imap.example.com',
  port: 993,
  tls: true,
  user: 'bounces',
  mailbox: 'INBOX',
  intervalSec: 300,
  enabled: true,
  passwordSet: true,
};

describe('inbound mail import', () => {
  it('encodes file bytes as base64 exactly as Node does, for any content', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
    );
  });

  it('encodes a file of several megabytes (chunked: no call stack overflow)', () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 31) % 256);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('accepts .eml and .mbox files and extension-less mailboxes, nothing else', () => {
    for (const name of ['dsn.eml', 'BOUNCES.MBOX', 'archive.mbx', 'Inbox', 'mbox'])
      expect(isImportable(name)).toBe(true);
    for (const name of ['list.csv', 'report.pdf', 'mail.msg', 'notes.txt'])
      expect(isImportable(name)).toBe(false);
  });

  it('labels every kind of the contract', () => {
    for (const kind of INBOUND_MESSAGE_KINDS) expect(KIND_LABELS[kind]).toBeTruthy();
  });
});

describe('mailbox status wording', () => {
  it('shows where the listener listens, or that it is stopped', () => {
    expect(describeListener({ running: true, host: '127.0.0.1', port: 2525, maxSize: 1 })).toBe(
      '127.0.0.1:2525',
    );
    expect(describeListener({ running: false, host: '127.0.0.1', port: null, maxSize: 1 })).toBe('stopped');
  });

  it('describes the IMAP poller, with its last error', () => {
    const imap = {
      enabled: true,
      state: 'error' as const,
      lastPollAt: 1,
      lastError: 'auth failed',
      lastFetched: 0,
    };
    expect(describeImap(imap)).toBe('error: auth failed');
    expect(describeImap({ ...imap, enabled: false })).toBe('off');
    expect(describeImap({ ...imap, state: 'idle', lastError: null, lastFetched: 4 })).toBe(
      'idle, 4 fetched last time',
    );
  });
});

describe('IMAP settings form', () => {
  it('never shows the password and does not send it unless typed', () => {
    const form = imapToForm(SETTINGS);
    expect(form.password).toBe('');
    const result = imapFromForm(form);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).not.toHaveProperty('password');
  });

  it('sends a typed password, or an empty one to forget the stored password', () => {
    const typed = imapFromForm({ ...imapToForm(SETTINGS), password: 's3cret' });
    expect(typed.ok && typed.value.password).toBe('s3cret');
    const cleared = imapFromForm({ ...imapToForm(SETTINGS), password: 'ignored', clearPassword: true });
    expect(cleared.ok && cleared.value.password).toBe('');
  });

  it('reports problems by field: no host while enabled, a port out of range, a short interval', () => {
    const result = imapFromForm({ ...imapToForm(SETTINGS), host: ' ', port: '70000', intervalSec: '5' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['host', 'intervalSec', 'port']);
  });
});
