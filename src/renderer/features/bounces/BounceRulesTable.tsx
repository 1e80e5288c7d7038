import { Fragment } from 'react';
import type { ErrorDetail } from '../../../shared/contract/errors';
import type { BounceRule } from '../../../shared/domain/bounce-rules';
import { detailMessage } from '../../components/ErrorBanner';
import { RowButtons, RuleIdButton, type RowActions } from '../rules/RuleRowControls';
import { bounceClassLabel, describeConditions, describeOutcome } from './bounce-rules-model';

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
  actions: RowActions;
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
                    <RuleIdButton
                      id={rule.id}
                      label={label}
                      onClick={() => actions.onEdit(i)}
                      testId="bounce-rule-edit"
                    />
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
                    <RowButtons
                      index={i}
                      label={label}
                      canUp={i > 0}
                      canDown={i < rules.length - 1}
                      canDelete
                      deleteTestId="bounce-rule-delete"
                      actions={actions}
                    />
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
