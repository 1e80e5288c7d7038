import type { AutomationRule, MxRule } from '../../../shared/contract/mta';
import { Badge } from '../../components/Badge';
import { formatCount } from '../../components/format';
import {
  canMoveMxRule,
  describeAction,
  describeTrigger,
  formatPerHour,
  formatTimeouts,
  isGenericRule,
  TLS_LABELS,
} from './rules-model';
import { RowButtons, RuleIdButton, type RowActions } from './RuleRowControls';

function EnabledBadge({ enabled }: { enabled: boolean }) {
  return enabled ? <Badge tone="green">On</Badge> : <Badge tone="grey">Off</Badge>;
}

/** The ordered MX rules: first match wins; the generic `*` rule is pinned last. */
export function MxRulesTable({
  rules,
  problemRows,
  actions,
}: {
  rules: readonly MxRule[];
  problemRows: ReadonlySet<number>;
  actions: RowActions;
}) {
  return (
    <div className="rules-table-wrap">
      <table className="table-compact table-full rules-table" data-testid="mx-rules-table">
        <thead>
          <tr>
            <th scope="col" className="end">
              #
            </th>
            <th scope="col">Rule</th>
            <th scope="col">Match</th>
            <th scope="col" className="end" title="Max connections">
              Conn.
            </th>
            <th scope="col" className="end" title="Max messages per connection">
              Msgs/conn.
            </th>
            <th scope="col" className="end" title="Messages per hour (smoothed over 12 × 5 minutes)">
              Msgs/hour
            </th>
            <th scope="col" title="Connect / command / data timeouts">
              Timeouts
            </th>
            <th scope="col">TLS</th>
            <th scope="col">Enabled</th>
            <th scope="col" className="end">
              <span className="rules-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule, i) => {
            const generic = isGenericRule(rule);
            return (
              <tr
                key={`${i}-${rule.id}`}
                className={problemRows.has(i) ? 'has-problem' : undefined}
                data-testid="mx-rule-row"
                data-rule-id={rule.id}
              >
                <td className="end num muted">{i + 1}</td>
                <td className="rule-id-cell" title={rule.description || undefined}>
                  <RuleIdButton id={rule.id} label={`MX rule ${rule.id}`} onClick={() => actions.onEdit(i)} />
                  {rule.description && <span className="muted rule-description">{rule.description}</span>}
                </td>
                <td>
                  <Badge
                    tone={rule.match.kind === 'mx' ? 'blue' : 'grey'}
                    title={rule.match.kind === 'mx' ? 'MX host mask' : 'Recipient domain mask'}
                  >
                    {rule.match.kind === 'mx' ? 'MX' : 'Domain'}
                  </Badge>{' '}
                  <code>{rule.match.mask}</code>
                </td>
                <td className="end num">{formatCount(rule.maxConnections)}</td>
                <td className="end num">{formatCount(rule.maxMessagesPerConnection)}</td>
                <td className="end num" data-testid="mx-rule-per-hour">
                  {formatPerHour(rule.messagesPerHour)}
                </td>
                <td className="num muted">{formatTimeouts(rule.timeouts)}</td>
                <td>{TLS_LABELS[rule.tls]}</td>
                <td>
                  <EnabledBadge enabled={rule.enabled} />
                </td>
                <td className="end">
                  <RowButtons
                    index={i}
                    label={`MX rule ${rule.id}`}
                    canUp={canMoveMxRule(rules, i, -1)}
                    canDown={canMoveMxRule(rules, i, 1)}
                    canDelete={!generic}
                    deleteTitle={
                      generic ? 'The generic rule is required (it matches everything else)' : undefined
                    }
                    actions={actions}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Automation rules: every rule whose pattern matches a reply of its scope fires (in this order). */
export function AutomationRulesTable({
  rules,
  problemRows,
  actions,
}: {
  rules: readonly AutomationRule[];
  problemRows: ReadonlySet<number>;
  actions: RowActions;
}) {
  return (
    <div className="rules-table-wrap">
      <table className="table-compact table-full rules-table" data-testid="automation-rules-table">
        <thead>
          <tr>
            <th scope="col" className="end">
              #
            </th>
            <th scope="col">Rule</th>
            <th scope="col">Pattern</th>
            <th scope="col">Scope</th>
            <th scope="col">Trigger</th>
            <th scope="col">Action</th>
            <th scope="col">Enabled</th>
            <th scope="col" className="end">
              <span className="rules-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule, i) => (
            <tr
              key={`${i}-${rule.id}`}
              className={problemRows.has(i) ? 'has-problem' : undefined}
              data-testid="automation-rule-row"
            >
              <td className="end num muted">{i + 1}</td>
              <td className="rule-id-cell" title={rule.description || undefined}>
                <RuleIdButton
                  id={rule.id}
                  label={`automation rule ${rule.id}`}
                  onClick={() => actions.onEdit(i)}
                />
                {rule.description && <span className="muted rule-description">{rule.description}</span>}
              </td>
              <td className="rule-pattern" title={rule.pattern}>
                <code>{rule.pattern}</code>
              </td>
              <td>
                <code>{rule.scope}</code>
              </td>
              <td>{describeTrigger(rule.trigger)}</td>
              <td>{describeAction(rule.action)}</td>
              <td>
                <EnabledBadge enabled={rule.enabled} />
              </td>
              <td className="end">
                <RowButtons
                  index={i}
                  label={`automation rule ${rule.id}`}
                  canUp={i > 0}
                  canDown={i < rules.length - 1}
                  canDelete
                  actions={actions}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
