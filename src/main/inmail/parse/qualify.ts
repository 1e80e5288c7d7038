/**
 * `qualifyInbound`: the qualification of each recipient of an inbound report (SPEC §4.3), with the same
 * classifier as synchronous replies, and the reason for each verdict.
 * - DSN / non-standard bounce, `Action: failed`: the classifier decides from the status, code and diagnostic;
 *   when that tells nothing (Not defined), from the report's own words (`explanation`: Domino's "because:",
 *   a localised explanation, a reason stated once for all recipients), with the rules that are not
 *   `replyOnly`;
 * - `Action: delayed`: the classifier's reason, type Soft (the message is still being retried); a delay
 *   warning whose cause cannot be told is Unreachable (SPEC §4.1: "a delay warning");
 * - `Action: delivered | relayed | expanded`: a success notification, Error ignored;
 * - ARF complaint (abuse, fraud, virus, other, an FBL opt-out): Refused, Hard, class 90 (Unsubscribe) — the
 *   address is denylisted; `not-spam` and RFC 6591 `auth-failure` reports are no complaint: Error ignored;
 * - auto-reply: Error ignored, class 60 (Auto-Reply), no status change — unless its own words say the address
 *   is gone ("this address is no longer active", "account closed"): a text rule of the unknown-user or
 *   disabled-account families then decides, as for a bounce (SPEC §4.1: the reply text decides);
 * - unknown: nothing to qualify (the report is kept and listed).
 */
import type { BounceExplanation, Classifier } from '../../engine/bounce/classifier';
import type { InboundRecipient, InboundReport, InboundVerdict } from './types';

/** RFC 5965 / RFC 6591 feedback types that are not complaints about the message. */
const NOT_COMPLAINTS = new Set(['not-spam', 'auth-failure']);

export function qualifyInbound(report: InboundReport, classifier: Classifier): InboundVerdict[] {
  switch (report.kind) {
    case 'dsn':
    case 'bounce_nonstandard':
      return report.recipients.map((r) => qualifyDelivery(r, classifier, report.explanation));
    case 'arf': {
      const feedbackType = report.feedback?.feedbackType ?? 'abuse';
      const ignored = NOT_COMPLAINTS.has(feedbackType);
      return report.recipients.map((r) => ({
        recipient: r.recipient,
        type: ignored ? 'ignored' : 'hard',
        reason: ignored ? 'error_ignored' : 'refused',
        bounceClass: 90,
        ruleId: `arf:${feedbackType}`,
        why: ignored
          ? `a feedback report of type ${feedbackType}, not a complaint: nothing to do`
          : `a complaint (feedback type ${feedbackType}): the address is denylisted`,
        status: null,
        code: null,
      }));
    }
    case 'auto_reply':
      return report.recipients.map(
        (r) =>
          addressGone(r, classifier) ?? {
            recipient: r.recipient,
            type: 'ignored',
            reason: 'error_ignored',
            bounceClass: 60,
            ruleId: 'auto-reply',
            why: `an auto-reply (${report.note ?? 'RFC 3834'}): the message was delivered`,
            status: null,
            code: null,
          },
      );
    case 'unknown':
      return [];
  }
}

/** Classes whose text rules say the address itself is gone: Invalid Recipient, Admin Failure (disabled). */
const ADDRESS_GONE_CLASSES: ReadonlySet<number> = new Set([10, 25]);

/**
 * The verdict of an automatic answer whose words say the address is gone, or null. Only text rules count
 * (a status or code fallback says nothing about an answer with no reply code).
 */
function addressGone(r: InboundRecipient, classifier: Classifier): InboundVerdict | null {
  if (!r.diagnostic) return null;
  // What an answer says of its own address is final: read it as a permanent reply.
  const v = classifier.explain({ code: null, enhanced: '5.0.0', text: r.diagnostic, command: null });
  if (!ADDRESS_GONE_CLASSES.has(v.bounceClass) || v.matched === null) return null;
  return {
    recipient: r.recipient,
    type: v.type,
    reason: v.reason,
    bounceClass: v.bounceClass,
    ruleId: v.ruleId,
    why: `an auto-reply that says the address is gone; ${v.why}`,
    status: null,
    code: null,
  };
}

/**
 * The reason read from the report's own words, for a recipient whose diagnostic told nothing: only a rule
 * whose pattern matched and that is not `replyOnly` counts (a bounce's text is long, with boilerplate and
 * footers: bare words prove little there).
 */
function fromExplanation(
  r: InboundRecipient,
  classifier: Classifier,
  explanation: string | null,
): BounceExplanation | null {
  if (!explanation) return null;
  const v = classifier.explain({ ...replyOf(r), text: explanation });
  if (v.matched === null || v.reason === 'not_defined') return null;
  const rule = classifier.rules.find((x) => x.id === v.ruleId);
  if (!rule || rule.replyOnly) return null;
  return { ...v, why: `the bounce's own text: ${v.why}` };
}

function qualifyDelivery(
  r: InboundRecipient,
  classifier: Classifier,
  explanation: string | null,
): InboundVerdict {
  const common = { recipient: r.recipient, status: r.status, code: r.code };
  const explain = () => {
    const v = classifier.explain(replyOf(r));
    return v.reason === 'not_defined' ? (fromExplanation(r, classifier, explanation) ?? v) : v;
  };
  switch (r.action) {
    case 'delivered':
    case 'relayed':
    case 'expanded':
      return {
        ...common,
        type: 'ignored',
        reason: 'error_ignored',
        bounceClass: 1,
        ruleId: `dsn:${r.action}`,
        why: `a delivery status notification with Action: ${r.action}: a success notice`,
      };
    case 'delayed': {
      const v = explain();
      if (v.reason === 'not_defined') {
        return {
          ...common,
          type: 'soft',
          reason: 'unreachable',
          bounceClass: 70,
          ruleId: 'dsn:delayed',
          why: 'a delay warning whose cause the text does not tell: the message is still being retried',
        };
      }
      return {
        ...common,
        type: 'soft',
        reason: v.reason,
        bounceClass: v.bounceClass,
        ruleId: v.ruleId,
        why: `a delay warning (Soft: still being retried); ${v.why}`,
      };
    }
    case 'failed':
    case null: {
      const v = explain();
      return {
        ...common,
        type: v.type,
        reason: v.reason,
        bounceClass: v.bounceClass,
        ruleId: v.ruleId,
        why: v.why,
      };
    }
  }
}

function replyOf(r: InboundRecipient) {
  // A failed DSN without any code is still a failure: the status class is permanent unless it says 4.x.x.
  const enhanced = r.status ?? (r.code === null && r.action === 'failed' ? '5.0.0' : null);
  return { code: r.code, enhanced, text: r.diagnostic ?? '', command: null, mxHost: r.remoteMta };
}
