import type { ErrorDetail } from '../../../shared/contract/errors';
import { describeDetail } from '../../components/ErrorBanner';
import { problemRow, type RulesDraft } from './rules-model';

/** Problems of a rules document, each with its JSON path and, when known, the rule it belongs to. */
export function ProblemList({
  title,
  problems,
  draft,
  testId,
  onDismiss,
}: {
  title: string;
  problems: readonly ErrorDetail[];
  /** The rules the paths refer to (names the rule of `mxRules.3...`). */
  draft?: RulesDraft;
  testId?: string;
  onDismiss?(): void;
}) {
  return (
    <div className="banner banner-red" role="alert" data-testid={testId}>
      <div className="banner-body">
        <div className="banner-title">{title}</div>
        <ul className="banner-details">
          {problems.slice(0, 50).map((p, i) => (
            <li key={i} data-testid="problem">
              {ruleLabel(p, draft)}
              <code className="problem-path">{describeDetail(p)}</code>
            </li>
          ))}
          {problems.length > 50 && <li>… and {problems.length - 50} more</li>}
        </ul>
      </div>
      {onDismiss && (
        <div className="banner-action">
          <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}

function ruleLabel(p: ErrorDetail, draft: RulesDraft | undefined): string {
  const row = problemRow(p);
  if (!row || !draft) return '';
  const rule = draft[row.list][row.index];
  const kind = row.list === 'mxRules' ? 'MX rule' : 'Automation rule';
  return `${kind} #${row.index + 1}${rule ? ` “${rule.id}”` : ''} · `;
}
