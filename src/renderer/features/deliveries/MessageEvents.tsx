import type { Attempt, LogReport, LogRow } from '../../../shared/contract';
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { formatReply } from '../../../shared/domain/smtp-reply';
import { useQuery } from '../../api/hooks';
import { paths } from '../../app/router';
import { Badge, StatusBadge } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatTimestamp } from '../../components/format';
import type { Tone } from '../../components/tones';
import { KIND_LABELS } from '../inmail/inmail-model';

const OUTCOME_TONE: Record<Attempt['outcome'], Tone> = {
  accepted: 'green',
  deferred: 'amber',
  failed: 'red',
};
const OUTCOME_LABEL: Record<Attempt['outcome'], string> = {
  accepted: 'Accepted',
  deferred: 'Deferred',
  failed: 'Failed',
};

/** What a report received later says happened, as the timeline's badge. */
function reportBadge(r: LogReport): { label: string; tone: Tone } {
  switch (r.kind) {
    case 'dsn':
    case 'bounce_nonstandard': {
      const action = r.action?.toLowerCase() ?? null;
      if (action === 'delayed') return { label: 'Delayed (reported later)', tone: 'amber' };
      if (action === 'delivered' || action === 'relayed' || action === 'expanded')
        return { label: `Reported ${action}`, tone: 'green' };
      return { label: 'Bounced later', tone: 'red' };
    }
    case 'arf':
      return { label: 'Complaint', tone: 'red' };
    case 'auto_reply':
      return { label: 'Auto-reply', tone: 'grey' };
    case 'unknown':
      return { label: 'Inbound mail', tone: 'grey' };
  }
}

/** `DSN 5.1.1 550 …`: the report's kind, then its status and diagnostic as a reply. */
function reportText(r: LogReport): string {
  const kind = r.kind === 'arf' ? 'Complaint (ARF)' : KIND_LABELS[r.kind];
  const reply = formatReply({ code: r.code, enhanced: r.status, text: r.diagnostic ?? '' }).trim();
  return reply ? `${kind} ${reply}` : kind;
}

/** What the report did to the message, in words (the stored text names reasons by their ids). */
function appliedText(applied: string | null): string | null {
  if (!applied) return null;
  if (applied.startsWith('message failed')) return 'The message became Failed';
  if (applied.startsWith('reason updated')) return 'Reason updated; status unchanged';
  if (applied.startsWith('complaint')) return 'Address denylisted';
  if (applied.startsWith('recorded only')) return 'Recorded only; status unchanged';
  return null;
}

type Event =
  { at: number; attempt: Attempt; report?: never } | { at: number; report: LogReport; attempt?: never };

/**
 * Everything that happened to one message, in time order: its SMTP attempts and the reports received about it
 * later (DSN, complaint, auto-reply: each opens in Inbound mail), ending with the status it has now.
 */
export function MessageEvents({ row }: { row: LogRow }) {
  const events = useQuery(
    'logs.attempts',
    { logId: row.id },
    { invalidateOn: { 'logs.changed': (p) => p.deliveryId === row.deliveryId } },
  );
  const list: Event[] = [
    ...(events.data?.items ?? []).map((a) => ({ at: a.at, attempt: a })),
    ...(events.data?.reports ?? []).map((r) => ({ at: r.at, report: r })),
  ].sort((a, b) => a.at - b.at);

  return (
    <>
      <h3 className="section-title">Attempts and reports</h3>
      <ErrorBanner error={events.error} title="The attempts could not be loaded" />
      {events.loading ? (
        <div className="loading">Loading attempts…</div>
      ) : list.length === 0 ? (
        <p className="muted">No attempt yet: the message has not been sent to a receiving server.</p>
      ) : (
        <ol className="attempts" data-testid="attempts">
          {list.map((e) =>
            e.attempt ? (
              <li key={`a${e.attempt.id}`} className="attempt" data-testid="attempt">
                <div className="attempt-head">
                  <Badge tone={OUTCOME_TONE[e.attempt.outcome]}>{OUTCOME_LABEL[e.attempt.outcome]}</Badge>
                  <span className="num">{formatTimestamp(e.attempt.at)}</span>
                  <span className="muted num">{e.attempt.durationMs} ms</span>
                </div>
                <div className="attempt-reply mono">{formatReply(e.attempt)}</div>
                <div className="attempt-meta muted small">
                  {e.attempt.command && <span>after {e.attempt.command}</span>}
                  {e.attempt.mxHost && <span className="mono">{e.attempt.mxHost}</span>}
                  {e.attempt.ip && <span className="mono">{e.attempt.ip}</span>}
                  <span>{e.attempt.tls ? 'TLS' : 'no TLS'}</span>
                </div>
              </li>
            ) : (
              <ReportItem key={`r${e.report.inboundId}`} report={e.report} />
            ),
          )}
          <li className="attempt" data-testid="event-final">
            <div className="attempt-head">
              <span className="muted">Now</span>
              <StatusBadge status={row.status} />
              {row.reason && (
                <span className="muted small">
                  {REASONS[row.reason].label}
                  {row.failureType ? ` (${FAILURE_TYPE_LABELS[row.failureType]})` : ''}
                </span>
              )}
            </div>
          </li>
        </ol>
      )}
    </>
  );
}

function ReportItem({ report: r }: { report: LogReport }) {
  const badge = reportBadge(r);
  return (
    <li className="attempt" data-testid="report-event">
      <div className="attempt-head">
        <Badge tone={badge.tone}>{badge.label}</Badge>
        <span className="num">{formatTimestamp(r.at)}</span>
        <a href={paths.inmailMessage(r.inboundId)} className="small" data-testid="report-open-inmail">
          Open in Inbound mail
        </a>
      </div>
      <div className="attempt-reply mono">{reportText(r)}</div>
      <div className="attempt-meta muted small">
        {r.reason && (
          <span>
            {REASONS[r.reason].label}
            {r.type ? ` (${FAILURE_TYPE_LABELS[r.type]})` : ''}
          </span>
        )}
        {appliedText(r.applied) && <span>{appliedText(r.applied)}</span>}
      </div>
    </li>
  );
}
