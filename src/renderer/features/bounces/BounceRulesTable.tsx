import { Fragment } from 'react';
import type { ErrorDetail } from '../../../shared/contract/errors';
import type { BounceRule } from '../../../shared/domain/bounce-rules';
import { Button } from '../../components/Button';
import { detailMessage } from '../../components/ErrorBanner';
import { bounceClassLabel, describeConditions, describeOutcome } from './bounce-rules-model';

export interface BounceRuleActions {
  onEdit(index: number): void;
  onMove(index: number, delta: -1 | 1): void;
  onDelete(index: number): void;
}

/** DOM id of a rule's row, for "jump to the rule" from the reply tester. */
export const bounceRuleRowId = (index: number) => `bounce-rule-${index}`;

/** The ordered bounce rules (first match wins), each with the checker's problems right under it. */
export function BounceRulesTable({
  rules,
  problems,
  highlighted,
  actions,
}: {
  rules: readonly BounceRule[];
  problems: ReadonlyMap<number, readonly ErrorDetail[]>;
  highlighted: number | null;
  actions: BounceRuleActions;
}) {
  return (
    <div className="rules-table-wrap">
      <table
        className="table-compact table-full rules-table bounce-rules-table"
        data-testid="bounce-rules-table"
      >
        <colgroup>
          <col className="col-index" />
          <col className="col-rule" />
          <col className="col-provider" />
          <col className="col-conditions" />
          <col className="col-pattern" />
          <col className="col-outcome" />
          <col className="col-examples" />
          <col className="col-actions" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className="end">
              #
            </th>
            <th scope="col">Rule</th>
            <th scope="col">Provider</th>
            <th scope="col">Conditions</th>
            <th scope="col">Pattern</th>
            <th scope="col">Class → reason · type</th>
            <th scope="col" className="end" title="Example replies the checker tests">
              Ex.
            </th>
            <th scope="col" className="end">
              <span className="rules-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule, i) => {
            const ruleProblems = problems.get(i) ?? [];
            const label = `bounce rule ${rule.id}`;
            return (
              <Fragment key={`${i}-${rule.id}`}>
                <tr
                  id={bounceRuleRowId(i)}
                  className={[
                    ruleProblems.length ? 'has-problem' : '',
                    highlighted === i ? 'is-highlighted' : '',
                  ].join(' ')}
                  data-testid="bounce-rule-row"
                  data-rule-id={rule.id}
                >
                  <td className="end num muted">{i + 1}</td>
                  <td className="rule-id-cell" title={rule.description || undefined}>
                    <button
                      type="button"
                      className="rule-id-button mono"
                      onClick={() => actions.onEdit(i)}
                      aria-label={`Edit ${label}`}
                      title="Edit"
                      data-testid="bounce-rule-edit"
                    >
                      {rule.id}
                    </button>
                    {rule.description && <span className="muted rule-description">{rule.description}</span>}
                  </td>
                  <td title={rule.provider}>{rule.provider ?? <span className="muted">—</span>}</td>
                  <td>
                    <span className="condition-chips">
                      {describeConditions(rule).map((c) => (
                        <code key={c} className="code-chip">
                          {c}
                        </code>
                      ))}
                    </span>
                  </td>
                  <td className="rule-pattern" title={rule.pattern || 'any text'}>
                    {rule.pattern ? <code>{rule.pattern}</code> : <span className="muted">any text</span>}
                  </td>
                  <td
                    className="rule-outcome"
                    title={`${bounceClassLabel(rule.bounceClass)}: ${describeOutcome(rule)}`}
                  >
                    <span className="strong">{bounceClassLabel(rule.bounceClass)}</span>
                    <span className="muted rule-description">{describeOutcome(rule)}</span>
                  </td>
                  <td className="end num muted">{rule.examples?.length ?? 0}</td>
                  <td className="end">
                    <div className="rule-actions">
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={`Move ${label} up`}
                        title="Move up"
                        disabled={i === 0}
                        onClick={() => actions.onMove(i, -1)}
                      >
                        ↑
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={`Move ${label} down`}
                        title="Move down"
                        disabled={i === rules.length - 1}
                        onClick={() => actions.onMove(i, 1)}
                      >
                        ↓
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        title="Delete"
                        aria-label={`Delete ${label}`}
                        onClick={() => actions.onDelete(i)}
                        testId="bounce-rule-delete"
                      >
                        ✕
                      </Button>
                    </div>
                  </td>
                </tr>
                {ruleProblems.length > 0 && (
                  <tr className="has-problem rule-problem-row" data-testid="bounce-rule-problem">
                    <td />
                    <td colSpan={7}>
                      <ul className="rule-problems">
                        {ruleProblems.map((p, k) => (
                          <li key={k}>{detailMessage(p)}</li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
