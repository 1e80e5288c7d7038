import { TLS_POLICIES, type MxRule } from '../../../shared/contract/mta';
import { useRuleForm } from './use-rule-form';
import { BoundCheckbox, BoundInput, BoundSelect } from '../../components/BoundField';
import { RuleEditorDrawer } from './RuleEditorDrawer';
import { isGenericRule, mxRuleFromForm, mxRuleToForm, TLS_LABELS, type FieldErrors } from './rules-model';

/** The drawer editing one MX rule. "Apply" changes the draft only; the page's Save puts it in force. */
export function MxRuleEditor({
  rule,
  isNew,
  position,
  serverErrors,
  onApply,
  onClose,
}: {
  rule: MxRule;
  isNew: boolean;
  /** 1-based position in the table (where a new rule goes: before the generic `*` rule). */
  position?: number;
  /** Problems the server or the document check reported for this rule, by field. */
  serverErrors: FieldErrors;
  onApply(rule: MxRule): void;
  onClose(): void;
}) {
  const generic = isGenericRule(rule);
  const bind = useRuleForm(() => mxRuleToForm(rule), mxRuleFromForm, serverErrors, onApply);
  const { form, err, submit } = bind;

  return (
    <RuleEditorDrawer
      title={isNew ? `New MX rule${position ? ` (#${position})` : ''}` : `MX rule “${rule.id}”`}
      testId="mx-rule-drawer"
      applyTestId="mx-apply"
      onSubmit={submit}
      onClose={onClose}
    >
      {isNew && (
        <p className="muted small" data-testid="mx-placement">
          It goes {position ? `at #${position}, ` : ''}right before the generic * rule, after every other rule
          (the first matching rule wins). Move it with ↑ ↓ after Apply.
        </p>
      )}
      {generic && (
        <p className="muted small">
          The generic rule matches every destination no other rule matches. It always stays last and enabled.
        </p>
      )}
      {err('').length > 0 && <div className="field-error">{err('').join('; ')}</div>}
      <div className="grid-2">
        <BoundInput
          bind={bind}
          name="id"
          id="mx-id"
          label="Id"
          hint="Lower case, digits, . _ -"
          className="mono"
          data-testid="mx-id"
        />
        <BoundSelect bind={bind} name="tls" id="mx-tls" label="TLS">
          {TLS_POLICIES.map((p) => (
            <option key={p} value={p}>
              {TLS_LABELS[p]}
            </option>
          ))}
        </BoundSelect>
      </div>
      <BoundInput bind={bind} name="description" id="mx-description" label="Description" />
      <div className="grid-2">
        <BoundSelect
          bind={bind}
          name="matchKind"
          path="match.kind"
          id="mx-match-kind"
          label="Match on"
          disabled={generic}
        >
          <option value="mx">MX host</option>
          <option value="domain">Recipient domain</option>
        </BoundSelect>
        <BoundInput
          bind={bind}
          name="mask"
          path="match.mask"
          id="mx-mask"
          label="Mask"
          hint={form.matchKind === 'mx' ? 'e.g. *.google.com' : 'e.g. gmail.com or *.example.org'}
          className="mono"
          disabled={generic}
          data-testid="mx-mask"
        />
      </div>
      <div className="grid-3">
        <BoundInput
          bind={bind}
          name="maxConnections"
          id="mx-max-conn"
          label="Max connections"
          inputMode="numeric"
        />
        <BoundInput
          bind={bind}
          name="maxMessagesPerConnection"
          id="mx-per-conn"
          label="Messages / connection"
          inputMode="numeric"
        />
        <BoundInput
          bind={bind}
          name="messagesPerHour"
          id="mx-per-hour"
          label="Messages / hour"
          hint="Empty = unlimited; smoothed over 12 × 5 min"
          inputMode="numeric"
          placeholder="unlimited"
          data-testid="mx-per-hour"
        />
      </div>
      <div className="grid-3">
        <BoundInput
          bind={bind}
          name="connectTimeout"
          path="timeouts.connectMs"
          id="mx-connect"
          label="Connect timeout"
          hint="e.g. 30s"
        />
        <BoundInput
          bind={bind}
          name="commandTimeout"
          path="timeouts.commandMs"
          id="mx-command"
          label="Command timeout"
          hint="e.g. 5m"
        />
        <BoundInput
          bind={bind}
          name="dataTimeout"
          path="timeouts.dataMs"
          id="mx-data"
          label="Data timeout"
          hint="e.g. 10m"
        />
      </div>
      <BoundCheckbox bind={bind} name="enabled" label="Enabled" disabled={generic} />
    </RuleEditorDrawer>
  );
}
