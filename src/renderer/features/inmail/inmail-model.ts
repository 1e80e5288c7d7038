/** The Inbound mail page's wording, file handling and IMAP form, free of React. */
import { issueDetails } from '../../../shared/contract/issues';
import {
  ImapSaveInput,
  type ImapSettings,
  type InboundMessageSummary,
  type InmailStatus,
} from '../../../shared/contract/bounce';
import type { Tone } from '../../components/tones';
import { groupByField, type Converted } from '../rules/rules-model';

export type InboundKind = InboundMessageSummary['kind'];

export const KIND_LABELS: Record<InboundKind, string> = {
  dsn: 'DSN',
  arf: 'Complaint',
  auto_reply: 'Auto-reply',
  bounce_nonstandard: 'Non-standard bounce',
  unknown: 'Unknown',
};

export const KIND_HINTS: Record<InboundKind, string> = {
  dsn: 'RFC 3464 delivery status notification',
  arf: 'RFC 5965 feedback report: the recipient marked the message as spam',
  auto_reply: 'RFC 3834 auto-reply (vacation, out of office): recorded, changes nothing',
  bounce_nonstandard: 'A bounce in an MTA or provider format of its own',
  unknown: 'Not recognised as a bounce, a complaint or an auto-reply: kept and listed',
};

export const KIND_TONE: Record<InboundKind, Tone> = {
  dsn: 'red',
  arf: 'amber',
  auto_reply: 'grey',
  bounce_nonstandard: 'red',
  unknown: 'grey',
};

export const SOURCE_LABELS: Record<InboundMessageSummary['source'], string> = {
  smtp: 'SMTP listener',
  import: 'Import',
  imap: 'IMAP',
};

export const MATCHED_BY_LABELS: Record<NonNullable<InboundMessageSummary['matchedBy']>, string> = {
  verp: 'VERP return path',
  trace_header: 'trace header',
  message_id: 'Message-ID',
};

/** Where the bounce mailbox's SMTP listener listens (`127.0.0.1:2525`), or `stopped`. */
export function describeListener(listener: InmailStatus['listener']): string {
  if (!listener.running) return 'stopped';
  return `${listener.host}:${listener.port ?? '?'}`;
}

export function describeImap(imap: InmailStatus['imap']): string {
  if (!imap.enabled) return 'off';
  switch (imap.state) {
    case 'off':
      return 'off';
    case 'idle':
      return imap.lastPollAt === null
        ? 'waiting for the first poll'
        : `idle, ${imap.lastFetched} fetched last time`;
    case 'polling':
      return 'polling…';
    case 'error':
      return `error: ${imap.lastError ?? 'unknown'}`;
  }
}

// ---------------------------------------------------------------- importing files

/** Files the import accepts: .eml messages, .mbox mailboxes, and extension-less mailboxes (`Inbox`, `mbox`). */
export function isImportable(fileName: string): boolean {
  return /\.(?:eml|mbox|mbx)$/i.test(fileName) || !fileName.includes('.');
}

/** Base64 of raw bytes, in chunks (a spread of millions of bytes would overflow the call stack). */
export function bytesToBase64(bytes: Uint8Array): string {
  const CHUNK = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

// ---------------------------------------------------------------- IMAP settings form

export interface ImapForm {
  host: string;
  port: string;
  tls: boolean;
  user: string;
  /** Write-only: empty keeps the stored password (unless `clearPassword`). */
  password: string;
  clearPassword: boolean;
  mailbox: string;
  intervalSec: string;
  enabled: boolean;
}

export function imapToForm(s: ImapSettings): ImapForm {
  return {
    host: s.host,
    port: String(s.port),
    tls: s.tls,
    user: s.user,
    password: '',
    clearPassword: false,
    mailbox: s.mailbox,
    intervalSec: String(s.intervalSec),
    enabled: s.enabled,
  };
}

/** The form as the save input: the password is sent only when typed (or explicitly cleared). */
export function imapFromForm(form: ImapForm): Converted<ImapSaveInput> {
  const candidate = {
    host: form.host.trim(),
    port: Number(form.port.trim()),
    tls: form.tls,
    user: form.user.trim(),
    mailbox: form.mailbox.trim(),
    intervalSec: Number(form.intervalSec.trim()),
    enabled: form.enabled,
    ...(form.clearPassword ? { password: '' } : form.password !== '' ? { password: form.password } : {}),
  };
  const parsed = ImapSaveInput.safeParse(candidate);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, errors: groupByField(issueDetails(parsed.error)) };
}
