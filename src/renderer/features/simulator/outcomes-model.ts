/**
 * "What happened, line by line": the outcome groups of each scenario (the recipients of one domain that ended
 * alike) lined up across scenarios, and each group's worked example told as a timeline of simulated times
 * ("4h · RCPT 452 … · deferred", "3d 12h · Validity ran out · failed at expiry"). Free of React: the comparison
 * page and the printable report both render these rows.
 */
import type { HistoryEvent, OutcomeGroup, ScenarioResult } from '../../../shared/contract/simulation';
import { FAILURE_TYPE_LABELS, REASONS } from '../../../shared/domain/reasons';
import { LOG_STATUS_LABELS, type LogStatus } from '../../../shared/domain/statuses';
import { KIND_LABELS, type InboundKind } from '../inmail/inmail-model';
import { formatSpan } from './simulation-model';

/** One kind of outcome of one domain, with each scenario's group (null: no recipient ended so there). */
export interface OutcomeRow {
  key: string;
  domain: string;
  status: LogStatus;
  failureType: OutcomeGroup['failureType'];
  reason: OutcomeGroup['reason'];
  groups: (OutcomeGroup | null)[];
}

export interface DomainOutcomes {
  domain: string;
  rows: OutcomeRow[];
}

const keyOf = (g: OutcomeGroup) => `${g.domain}|${g.status}|${g.failureType ?? ''}|${g.reason ?? ''}`;

/**
 * Every (domain, status, type, reason) of any scenario, one row each with the scenarios' groups side by side,
 * by domain in the results' order (the engine lists each domain's groups most recipients first).
 */
export function outcomeRows(results: readonly ScenarioResult[]): DomainOutcomes[] {
  const rows = new Map<string, OutcomeRow>();
  const domains = new Map<string, OutcomeRow[]>();
  results.forEach((r, i) => {
    for (const g of r.outcomes) {
      const key = keyOf(g);
      let row = rows.get(key);
      if (!row) {
        row = {
          key,
          domain: g.domain,
          status: g.status,
          failureType: g.failureType,
          reason: g.reason,
          groups: results.map(() => null),
        };
        rows.set(key, row);
        const list = domains.get(g.domain);
        if (list) list.push(row);
        else domains.set(g.domain, [row]);
      }
      row.groups[i] = g;
    }
  });
  return [...domains].map(([domain, list]) => ({ domain, rows: list }));
}

/** A group whose recipients were sent and nothing came back: the bulk, which explains itself. */
export function isUneventful(row: OutcomeRow): boolean {
  return (
    row.status === 'sent' &&
    row.groups.every((g) => g === null || g.example.history.every((e) => e.kind === 'attempt'))
  );
}

/**
 * The rows worth reading (every failed, ignored, cancelled or unfinished group, and the sent groups with
 * asynchronous mail: a DSN, a complaint, an auto-reply), and how many uneventful sent rows were left out.
 */
export function rowsThatMatter(domains: readonly DomainOutcomes[]): {
  domains: DomainOutcomes[];
  leftOut: number;
  leftOutRecipients: number[];
} {
  let leftOut = 0;
  const leftOutRecipients: number[] = [];
  const kept: DomainOutcomes[] = [];
  for (const d of domains) {
    const rows = d.rows.filter((row) => {
      if (!isUneventful(row)) return true;
      leftOut++;
      row.groups.forEach((g, i) => {
        leftOutRecipients[i] = (leftOutRecipients[i] ?? 0) + (g?.count ?? 0);
      });
      return false;
    });
    if (rows.length > 0) kept.push({ domain: d.domain, rows });
  }
  return { domains: kept, leftOut, leftOutRecipients };
}

/** The rows shown under the page's filters (a domain, a status, and whether uneventful sent rows show). */
export function filterRows(
  domains: readonly DomainOutcomes[],
  filter: { domain: string; status: LogStatus | ''; uneventful: boolean },
): DomainOutcomes[] {
  return domains
    .filter((d) => filter.domain === '' || d.domain === filter.domain)
    .map((d) => ({
      domain: d.domain,
      rows: d.rows.filter(
        (r) =>
          (filter.status === '' || r.status === filter.status) && (filter.uneventful || !isUneventful(r)),
      ),
    }))
    .filter((d) => d.rows.length > 0);
}

/** The human labels of a row: status, failure type and reason as the delivery pages write them. */
export function describeOutcome(row: Pick<OutcomeRow, 'status' | 'failureType' | 'reason'>): {
  status: string;
  type: string | null;
  reason: string | null;
} {
  return {
    status: LOG_STATUS_LABELS[row.status],
    type: row.failureType ? FAILURE_TYPE_LABELS[row.failureType] : null,
    reason: row.reason ? REASONS[row.reason].label : null,
  };
}

// ---------------------------------------------------------------- the worked example's timeline

export type LineTone = 'ok' | 'warn' | 'bad' | 'info';

/** One line of an example's history, ready to print. */
export interface HistoryLine {
  /** Simulated time after the start, with the console's span format (`0 s`, `52 s`, `4h`, `3d 12h`). */
  at: string;
  /** What happened: the SMTP command and reply code, or the kind of mail that came back. */
  what: string;
  /** The reply's or the mail's text (may be empty). */
  detail: string;
  /** How it ended: `deferred`, `accepted`, `failed`, `received`, `failed at expiry`. */
  outcome: string;
  tone: LineTone;
  kind: 'attempt' | 'inbound' | 'expiry';
}

const ATTEMPT_OUTCOMES: Record<string, { label: string; tone: LineTone }> = {
  accepted: { label: 'accepted', tone: 'ok' },
  deferred: { label: 'deferred', tone: 'warn' },
  failed: { label: 'failed', tone: 'bad' },
};

const INBOUND_DETAIL: Partial<Record<InboundKind, string>> = {
  arf: 'the recipient marked the message as spam',
};

/** A simulated time after the start: `0 s` at the start, else the comparison's spans. */
export function formatAt(ms: number): string {
  return ms <= 0 ? '0 s' : formatSpan(ms);
}

/** One event of an example's history as a line. */
export function historyLine(e: HistoryEvent): HistoryLine {
  if (e.kind === 'attempt') {
    const outcome = ATTEMPT_OUTCOMES[e.outcome] ?? { label: e.outcome, tone: 'info' as const };
    const command = e.command === 'CONNECT' ? 'Connection' : (e.command ?? 'SMTP');
    // A silence described from the connection's side ("connection refused (mx…)") is not said twice.
    const detail =
      command === 'Connection' && /^connection /i.test(e.text) ? e.text.replace(/^connection /i, '') : e.text;
    return {
      at: formatAt(e.atMs),
      what: e.code === null ? command : `${command} ${e.code}`,
      detail,
      outcome: outcome.label,
      tone: outcome.tone,
      kind: 'attempt',
    };
  }
  const kind = e.outcome as InboundKind;
  const label = KIND_LABELS[kind] ?? 'Inbound mail';
  const text = e.text.trim();
  // A DSN's diagnostic usually starts with its code already.
  const what = e.code !== null && !text.startsWith(String(e.code)) ? `${label} ${e.code}` : label;
  return {
    at: formatAt(e.atMs),
    what,
    detail: text || (INBOUND_DETAIL[kind] ?? ''),
    outcome: 'received',
    tone: kind === 'dsn' || kind === 'bounce_nonstandard' ? 'bad' : kind === 'arf' ? 'warn' : 'info',
    kind: 'inbound',
  };
}

/**
 * The example's history as lines; a group that failed after a last deferral failed when its validity ran out,
 * which no event records: a last line says so at the scenario's validity.
 */
export function historyLines(group: OutcomeGroup, validityMs: number): HistoryLine[] {
  const lines = group.example.history.map(historyLine);
  const last = group.example.history.filter((e) => e.kind === 'attempt').at(-1);
  if (group.status === 'failed' && last?.outcome === 'deferred')
    lines.push({
      at: formatAt(validityMs),
      what: 'Validity ran out',
      detail: '',
      outcome: 'failed at expiry',
      tone: 'bad',
      kind: 'expiry',
    });
  return lines;
}

/** A line as plain text, its detail cut to `maxDetail` characters (an ellipsis marks the cut). */
export function formatHistoryLine(line: HistoryLine, maxDetail = Infinity): string {
  const detail =
    line.detail.length > maxDetail ? `${line.detail.slice(0, maxDetail).trimEnd()}…` : line.detail;
  return [line.at, detail ? `${line.what} ${detail}` : line.what, line.outcome].join(' · ');
}

export interface Collapsed<T> {
  head: T[];
  /** The lines left out between head and tail (empty when nothing is). */
  hidden: T[];
  tail: T[];
}

/**
 * A long history cut to its first `head` and last `tail` lines; nothing is hidden unless at least two lines
 * would be (hiding one line saves nothing).
 */
export function collapseHistory<T>(lines: readonly T[], head = 3, tail = 2): Collapsed<T> {
  if (lines.length <= head + tail + 1) return { head: [...lines], hidden: [], tail: [] };
  return {
    head: lines.slice(0, head),
    hidden: lines.slice(head, lines.length - tail),
    tail: lines.slice(lines.length - tail),
  };
}

/** "… 21 more attempts" (or events, when mail that came back is among them). */
export function hiddenLabel(hidden: readonly HistoryLine[]): string {
  const n = hidden.length;
  const attempts = hidden.every((l) => l.kind === 'attempt');
  return `… ${n} more ${attempts ? (n === 1 ? 'attempt' : 'attempts') : n === 1 ? 'event' : 'events'}`;
}
