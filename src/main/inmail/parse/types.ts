/**
 * What the inbound parser (`parseInbound`) makes of a message received on the bounce mailbox, and what
 * `qualifyInbound` makes of that report. These are the interfaces the inMail listener, the importers, the
 * matching to messages and the outcome code build on.
 */
import type { BounceClass, FailureType, ReasonId } from '../../../shared/domain/reasons';

/**
 * - `dsn`: RFC 3464 multipart/report; report-type=delivery-status
 * - `arf`: RFC 5965 feedback report (complaint), and provider complaint notifications (Amazon SES)
 * - `auto_reply`: RFC 3834 auto-replies, vacation / out-of-office messages
 * - `bounce_nonstandard`: plain-text bounces of real MTAs and providers, Amazon SES bounce notifications
 * - `unknown`: anything else, with the reason in `note` (kept and listed, never dropped)
 */
export const INBOUND_KINDS = ['dsn', 'arf', 'auto_reply', 'bounce_nonstandard', 'unknown'] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

export const DSN_ACTIONS = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'] as const;
export type DsnAction = (typeof DSN_ACTIONS)[number];

export interface InboundRecipient {
  /** The failed (or complaining, or auto-replying) address; null when the report redacts it. */
  recipient: string | null;
  /**
   * The address the sender used, when the report gives it apart from the failed one (RFC 3464
   * Original-Recipient, Exim "generated from", Sendmail / Postfix "expanded from"). `recipient` is this
   * address whenever it is known.
   */
  originalRecipient: string | null;
  /**
   * The address the reporting MTA finally failed on (RFC 3464 Final-Recipient, the expansion of an alias or
   * forward), when the report says so; it may differ from `recipient`. Optional: absent in older reports.
   */
  finalRecipient?: string | null;
  action: DsnAction | null;
  /** RFC 3463 enhanced status (`5.1.1`), from Status or the diagnostic. */
  status: string | null;
  /** Basic SMTP code from the diagnostic (550), when there is one. */
  code: number | null;
  /** Diagnostic text (the remote server's reply, or the MTA's explanation), without the `smtp;` type. */
  diagnostic: string | null;
  remoteMta: string | null;
}

/** Identifiers of the message the report is about, found in the returned message or headers. */
export interface OriginalMessage {
  messageId: string | null;
  /** Our trace header `X-Relaydeck-Id: <deliveryId>.<logId>`. */
  relaydeckId: string | null;
  from: string | null;
  to: string | null;
  subject: string | null;
}

export interface FeedbackReport {
  /** RFC 5965 Feedback-Type: abuse, fraud, virus, not-spam, other ... */
  feedbackType: string;
  userAgent: string | null;
  originalMailFrom: string | null;
  arrivalDate: string | null;
  sourceIp: string | null;
  reportedDomain: string | null;
}

export interface InboundReport {
  kind: InboundKind;
  /** Which format was recognised (`rfc3464`, `rfc5965`, `exim`, `qmail`, `exchange`, `ses`, `rfc3834` ...). */
  format: string | null;
  /** For `unknown`: why; for other kinds: remarks (truncated input ...). */
  note: string | null;
  /**
   * The report's own human-readable words (not the returned copy, not the returned message's summary lines),
   * whitespace collapsed and capped: where the reason is when a recipient's own diagnostic says nothing.
   */
  explanation: string | null;
  /** The address the report was sent to (VERP return-path): the SMTP envelope when known, else the headers. */
  envelopeTo: string | null;
  from: string | null;
  subject: string | null;
  messageId: string | null;
  recipients: InboundRecipient[];
  original: OriginalMessage | null;
  feedback: FeedbackReport | null;
  /** The input was larger than the parse cap and was cut. */
  truncated: boolean;
}

/** The qualification of one recipient of a report (SPEC §4.3). */
export interface InboundVerdict {
  recipient: string | null;
  type: FailureType;
  reason: ReasonId;
  bounceClass: BounceClass;
  ruleId: string;
  /** Why, in one sentence an analyst can check (the rule and the words it matched, the report's kind …). */
  why: string;
  status: string | null;
  code: number | null;
}
