import type { ErrorDetail } from '../../../shared/contract/errors';
import { describeDetail } from '../../components/ErrorBanner';
import { ProblemsBanner } from '../../components/ProblemsBanner';
import { problemRow, type RulesDraft } from './rules-model';

/** Problems of a rules document, each in plain words with, when known, the rule it belongs to. */
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
    <ProblemsBanner
      title={title}
      items={problems.map((p, i) => (
        <span key={i}>
          {ruleLabel(p, draft)}
          {describeDetail(p)}
        </span>
      ))}
      cap={50}
      {...(testId ? { testId } : {})}
      {...(onDismiss ? { onDismiss } : {})}
    />
  );
}

function ruleLabel(p: ErrorDetail, draft: RulesDraft | undefined): string {
  const row = problemRow(p);
  if (!row) return '';
  // The rule's id when the draft is the document the paths refer to (not for an imported file).
  const rule = draft?.[row.list][row.index];
  const kind = row.list === 'mxRules' ? 'MX rule' : 'Automation rule';
  return `${kind} #${row.index + 1}${rule ? ` “${rule.id}”` : ''} · `;
}
