/**
 * The sandbox's asynchronous mail (SPEC §8): after accepting a message, a receiver may later send back to the
 * envelope sender (the VERP return-path) an RFC 3464 DSN, an RFC 5965 ARF complaint or an RFC 3834
 * auto-reply, the way real receivers do. The messages are built here as raw RFC 5322 text and sent with
 * nodemailer to the bounce mailbox (the inMail listener), from the null sender `<>` like real reports.
 */
import nodemailer from 'nodemailer';
import type { HostPort } from '../../../shared/contract';

export type AsyncReplyKind = 'dsn' | 'complaint' | 'auto_reply';

export interface AcceptedMessage {
  /** Envelope sender (MAIL FROM): where reports go. */
  mailFrom: string;
  rcpt: string;
  /** The message's header block (and as much of the body as was kept). */
  original: string;
  messageId: string | null;
  at: number;
}

const CRLF = '\r\n';
const REPORTER = 'sandbox.relaydeck.test';

function headerBlock(original: string): string {
  const end = original.indexOf('\r\n\r\n');
  return end >= 0 ? original.slice(0, end + 2) : `${original.replace(/\r?\n$/, '')}${CRLF}`;
}

function subjectOf(original: string): string {
  const m = /^subject:[ \t]*(.*(?:\r\n[ \t].*)*)$/im.exec(headerBlock(original));
  return m?.[1]?.replace(/\r\n[ \t]+/g, ' ').trim() ?? '';
}

function common(kind: string, m: AcceptedMessage, seq: number): string[] {
  const date = new Date(m.at).toUTCString().replace('GMT', '+0000');
  return [
    `Date: ${date}`,
    `Message-ID: <${kind}.${seq}.${m.at}@${REPORTER}>`,
    `To: ${m.mailFrom}`,
    'MIME-Version: 1.0',
  ];
}

/** RFC 3464: `5.1.1 user unknown`, found after the receiver had accepted the message. */
export function buildDsn(m: AcceptedMessage, seq: number): string {
  const boundary = `dsn-${seq}-${m.at}`;
  const domain = m.rcpt.slice(m.rcpt.lastIndexOf('@') + 1);
  return [
    `From: Mail Delivery System <MAILER-DAEMON@${REPORTER}>`,
    ...common('dsn', m, seq),
    'Subject: Undelivered Mail Returned to Sender',
    'Auto-Submitted: auto-replied',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `Your message to <${m.rcpt}> could not be delivered: the mailbox does not exist.`,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${REPORTER}`,
    `Arrival-Date: ${new Date(m.at).toUTCString()}`,
    '',
    `Final-Recipient: rfc822; ${m.rcpt}`,
    'Action: failed',
    'Status: 5.1.1',
    `Remote-MTA: dns; mx.${domain}`,
    `Diagnostic-Code: smtp; 550 5.1.1 <${m.rcpt}>: Recipient address rejected: User unknown in local recipient table`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headerBlock(m.original).replace(/\r\n$/, ''),
    '',
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

/** RFC 5965: an abuse report with the original message attached. */
export function buildComplaint(m: AcceptedMessage, seq: number): string {
  const boundary = `arf-${seq}-${m.at}`;
  return [
    `From: Feedback Loop <fbl@${REPORTER}>`,
    ...common('arf', m, seq),
    'Subject: FW: Abuse report',
    `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is an email abuse report for an email message received by the sandbox.',
    '',
    `--${boundary}`,
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: RelaydeckSandboxFBL/1.0',
    'Version: 1',
    `Original-Mail-From: <${m.mailFrom}>`,
    `Original-Rcpt-To: <${m.rcpt}>`,
    `Arrival-Date: ${new Date(m.at).toUTCString()}`,
    'Source-IP: 127.0.0.1',
    `Reported-Domain: ${m.mailFrom.slice(m.mailFrom.lastIndexOf('@') + 1)}`,
    '',
    `--${boundary}`,
    'Content-Type: message/rfc822',
    '',
    m.original.replace(/\r?\n$/, ''),
    '',
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

/** RFC 3834: an out-of-office reply (Auto-Submitted: auto-replied). */
export function buildAutoReply(m: AcceptedMessage, seq: number): string {
  const subject = subjectOf(m.original);
  return [
    `From: <${m.rcpt}>`,
    ...common('ooo', m, seq),
    `Subject: Out of office: ${subject}`,
    'Auto-Submitted: auto-replied',
    ...(m.messageId ? [`In-Reply-To: ${m.messageId}`, `References: ${m.messageId}`] : []),
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'I am out of the office until next week and will read your message when I am back.',
    '',
  ].join(CRLF);
}

export function buildAsyncReply(kind: AsyncReplyKind, m: AcceptedMessage, seq: number): string {
  switch (kind) {
    case 'dsn':
      return buildDsn(m, seq);
    case 'complaint':
      return buildComplaint(m, seq);
    case 'auto_reply':
      return buildAutoReply(m, seq);
  }
}

/** Sends one report from the null sender to the bounce mailbox. */
export async function sendToMailbox(mailbox: HostPort, to: string, raw: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: mailbox.host,
    port: mailbox.port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
  } finally {
    transport.close();
  }
}
