/**
 * "What happened, line by line": per domain, every way its recipients ended (status, failure type, reason),
 * with each scenario's count and worked example (the address, whether it is in quarantine, its attempts and
 * the mail that came back on the simulated timeline) side by side. On screen: filters by domain and status,
 * and long histories expand; on paper: the groups that matter only, histories collapsed, texts shortened.
 */
import { useMemo, useState } from 'react';
import type { OutcomeGroup, ScenarioResult } from '../../../shared/contract/simulation';
import { LOG_STATUSES, type LogStatus } from '../../../shared/domain/statuses';
import { Badge, shortStatusLabel, StatusBadge } from '../../components/Badge';
import { formatCount } from '../../components/format';
import {
  collapseHistory,
  describeOutcome,
  filterRows,
  formatHistoryLine,
  hiddenLabel,
  historyLines,
  outcomeRows,
  rowsThatMatter,
  type DomainOutcomes,
  type HistoryLine,
  type OutcomeRow,
} from './outcomes-model';

/** On paper a reply's text is cut after this many characters (the screen shows it whole in a tooltip). */
const PRINT_DETAIL = 90;

export function OutcomesSection({
  results,
  names,
  print,
}: {
  results: readonly ScenarioResult[];
  names: readonly string[];
  print: boolean;
}) {
  const all = useMemo(() => outcomeRows(results), [results]);
  if (all.length === 0)
    return (
      <p className={print ? 'report-muted' : 'muted small cmp-empty'} data-testid="cmp-outcomes-empty">
        No outcome was recorded.
      </p>
    );
  return print ? (
    <PrintedOutcomes all={all} results={results} names={names} />
  ) : (
    <ScreenOutcomes all={all} results={results} names={names} />
  );
}

function PrintedOutcomes({
  all,
  results,
  names,
}: {
  all: DomainOutcomes[];
  results: readonly ScenarioResult[];
  names: readonly string[];
}) {
  const { domains, leftOut, leftOutRecipients } = rowsThatMatter(all);
  return (
    <>
      {domains.length > 0 ? (
        <OutcomesTable domains={domains} results={results} names={names} print />
      ) : (
        <p className="report-muted">Every message was sent without incident.</p>
      )}
      {leftOut > 0 && (
        <p className="report-muted cmp-note" data-testid="cmp-outcomes-left-out">
          Left out: {formatCount(leftOut)} group{leftOut === 1 ? '' : 's'} of messages sent without incident (
          {names.map((n, i) => `${formatCount(leftOutRecipients[i] ?? 0)} recipients in ${n}`).join(', ')}).
        </p>
      )}
    </>
  );
}

function ScreenOutcomes({
  all,
  results,
  names,
}: {
  all: DomainOutcomes[];
  results: readonly ScenarioResult[];
  names: readonly string[];
}) {
  const [domain, setDomain] = useState('');
  const [status, setStatus] = useState<LogStatus | ''>('');
  const [uneventful, setUneventful] = useState(false);
  const statuses = LOG_STATUSES.filter((s) => all.some((d) => d.rows.some((r) => r.status === s)));
  const shown = filterRows(all, { domain, status, uneventful });
  const total = filterRows(all, { domain, status, uneventful: true }).reduce((n, d) => n + d.rows.length, 0);
  const shownRows = shown.reduce((n, d) => n + d.rows.length, 0);
  return (
    <>
      <div className="cmp-outcomes-tools">
        <select
          className="input select select-inline"
          aria-label="Domain"
          value={domain}
          onChange={(e) => setDomain(e.target.value)}
          data-testid="outcomes-domain"
        >
          <option value="">Every domain</option>
          {all.map((d) => (
            <option key={d.domain} value={d.domain}>
              {d.domain}
            </option>
          ))}
        </select>
        <select
          className="input select select-inline"
          aria-label="Status"
          value={status}
          onChange={(e) => setStatus(e.target.value as LogStatus | '')}
          data-testid="outcomes-status"
        >
          <option value="">Every status</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {shortStatusLabel(s)}
            </option>
          ))}
        </select>
        <label className="choice">
          <input
            type="checkbox"
            checked={uneventful}
            onChange={(e) => setUneventful(e.target.checked)}
            data-testid="outcomes-uneventful"
          />
          <span className="choice-label">Also messages sent without incident</span>
        </label>
        <span className="muted small">
          {formatCount(shownRows)} of {formatCount(total)} groups
        </span>
      </div>
      {shown.length > 0 ? (
        <OutcomesTable domains={shown} results={results} names={names} print={false} />
      ) : (
        <p className="muted small cmp-empty" data-testid="cmp-outcomes-none">
          No group matches these filters.
        </p>
      )}
    </>
  );
}

/** Two groups that read the same: same count and same example with the same history. */
function sameGroups(groups: readonly (OutcomeGroup | null)[]): boolean {
  if (groups.length < 2 || groups.some((g) => g === null)) return false;
  const first = JSON.stringify(groups[0]);
  return groups.every((g) => JSON.stringify(g) === first);
}

function OutcomesTable({
  domains,
  results,
  names,
  print,
}: {
  domains: readonly DomainOutcomes[];
  results: readonly ScenarioResult[];
  names: readonly string[];
  print: boolean;
}) {
  const columns = 1 + names.length;
  return (
    <table
      className={
        print ? 'report-table cmp-table cmp-outcomes' : 'table-compact table-full cmp-table cmp-outcomes'
      }
      data-testid="cmp-outcomes"
    >
      <thead>
        <tr>
          <th scope="col" className="cmp-label-head cmp-outcome-head">
            Outcome
          </th>
          {names.map((n, i) => (
            <th key={i} scope="col" className="cmp-group-start cmp-outcome-scenario">
              {n}
            </th>
          ))}
        </tr>
      </thead>
      {domains.map((d) => (
        <tbody key={d.domain} className="cmp-outcome-domain" data-domain={d.domain}>
          <tr className="cmp-group-row">
            <th scope="rowgroup" colSpan={columns}>
              {d.domain}
            </th>
          </tr>
          {d.rows.map((row) => (
            <Row key={row.key} row={row} results={results} names={names} print={print} />
          ))}
        </tbody>
      ))}
    </table>
  );
}

function Row({
  row,
  results,
  names,
  print,
}: {
  row: OutcomeRow;
  results: readonly ScenarioResult[];
  names: readonly string[];
  print: boolean;
}) {
  const labels = describeOutcome(row);
  const same = sameGroups(row.groups);
  const validity = (i: number) => results[i]?.scenario.validityMs ?? 0;
  return (
    <tr data-testid="outcome-row" data-domain={row.domain} data-status={row.status}>
      <th scope="row" className="cmp-label cmp-outcome-label">
        <div className="cmp-outcome-status">
          {print ? <strong>{labels.status}</strong> : <StatusBadge status={row.status} short />}
        </div>
        {(labels.type || labels.reason) && (
          <div className="cmp-outcome-reason">{[labels.type, labels.reason].filter(Boolean).join(' · ')}</div>
        )}
      </th>
      {same && row.groups[0] ? (
        <td colSpan={names.length} className="cmp-group-start cmp-outcome-cell">
          <Example
            group={row.groups[0]}
            validityMs={validity(0)}
            print={print}
            note={`The same in ${names.length === 2 ? 'both scenarios' : 'every scenario'}`}
          />
        </td>
      ) : (
        row.groups.map((g, i) => (
          <td key={i} className="cmp-group-start cmp-outcome-cell">
            {g ? (
              <Example group={g} validityMs={validity(i)} print={print} />
            ) : (
              <span className={print ? 'report-muted' : 'muted small'}>No recipient ended so</span>
            )}
          </td>
        ))
      )}
    </tr>
  );
}

function Example({
  group,
  validityMs,
  print,
  note,
}: {
  group: OutcomeGroup;
  validityMs: number;
  print: boolean;
  note?: string;
}) {
  const lines = historyLines(group, validityMs);
  return (
    <div className="cmp-example" data-testid="outcome-example">
      <div className="cmp-example-head">
        <span className="cmp-example-count num">
          {formatCount(group.count)} recipient{group.count === 1 ? '' : 's'}
        </span>
        <span className="cmp-example-who">
          <span className="cmp-hint">e.g.</span> <span className="mono">{group.example.email}</span>
        </span>
        {group.example.quarantined &&
          (print ? (
            <span className="cmp-quarantined">in quarantine</span>
          ) : (
            <Badge tone="red" testId="outcome-quarantined">
              In quarantine
            </Badge>
          ))}
        {note && <span className="cmp-hint cmp-example-note">{note}</span>}
      </div>
      {lines.length === 0 ? (
        <div className={print ? 'report-muted' : 'muted small'}>
          No attempt: {group.status === 'sent' ? 'nothing recorded' : 'excluded before sending'}.
        </div>
      ) : (
        <History lines={lines} print={print} />
      )}
    </div>
  );
}

function History({ lines, print }: { lines: readonly HistoryLine[]; print: boolean }) {
  const [open, setOpen] = useState(false);
  const collapsed = collapseHistory(lines);
  const more = collapsed.hidden.length > 0;
  const shown = open || !more ? lines : collapsed.head;
  return (
    <ol className="cmp-history" data-testid="outcome-history">
      {shown.map((l, i) => (
        <Line key={i} line={l} print={print} />
      ))}
      {more && !open && (
        <li className="cmp-history-more">
          {print ? (
            <span>{hiddenLabel(collapsed.hidden)}</span>
          ) : (
            <button
              type="button"
              className="cmp-history-toggle"
              onClick={() => setOpen(true)}
              aria-label={`Show ${hiddenLabel(collapsed.hidden).slice(2)}`}
              data-testid="outcome-history-more"
            >
              {hiddenLabel(collapsed.hidden)}
            </button>
          )}
        </li>
      )}
      {more && !open && collapsed.tail.map((l, i) => <Line key={`t${i}`} line={l} print={print} />)}
      {more && open && (
        <li className="cmp-history-more">
          <button type="button" className="cmp-history-toggle" onClick={() => setOpen(false)}>
            Show fewer
          </button>
        </li>
      )}
    </ol>
  );
}

function Line({ line, print }: { line: HistoryLine; print: boolean }) {
  const detail =
    print && line.detail.length > PRINT_DETAIL
      ? `${line.detail.slice(0, PRINT_DETAIL).trimEnd()}…`
      : line.detail;
  return (
    <li className={`cmp-line cmp-line-${line.tone}`} title={print ? undefined : formatHistoryLine(line)}>
      <span className="cmp-line-at num">{line.at}</span>
      <span className="cmp-line-text">
        <span className="cmp-line-what">{line.what}</span>
        {detail && <span className="cmp-line-detail"> {detail}</span>}
      </span>
      <span className="cmp-line-outcome">{line.outcome}</span>
    </li>
  );
}
