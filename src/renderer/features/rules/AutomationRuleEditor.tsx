import type { AutomationRule } from '../../../shared/contract/mta';
import { useRuleForm } from './use-rule-form';
import { BoundCheckbox, BoundInput, BoundSelect, BoundTextArea } from '../../components/BoundField';
import { RuleEditorDrawer } from './RuleEditorDrawer';
import { automationRuleFromForm, automationRuleToForm, type FieldErrors } from './rules-model';

/** The drawer editing one automation rule (pattern, trigger, action). Apply changes the draft only. */
export function AutomationRuleEditor({
  rule,
  isNew,
  serverErrors,
  onApply,
  onClose,
}: {
  rule: AutomationRule;
  isNew: boolean;
  serverErrors: FieldErrors;
  onApply(rule: AutomationRule): void;
  onClose(): void;
}) {
  const bind = useRuleForm(() => automationRuleToForm(rule), automationRuleFromForm, serverErrors, onApply);
  const { form, err, submit } = bind;

  return (
    <RuleEditorDrawer
      title={isNew ? 'New automation rule' : `Automation rule “${rule.id}”`}
      testId="automation-rule-drawer"
      applyTestId="auto-apply"
      onSubmit={submit}
      onClose={onClose}
    >
      {err('').length > 0 && <div className="field-error">{err('').join('; ')}</div>}
      <div className="grid-2">
        <BoundInput bind={bind} name="id" id="auto-id" label="Id" className="mono" />
        <BoundInput
          bind={bind}
          name="scope"
          id="auto-scope"
          label="Scope (MX host mask)"
          hint="* = every destination"
          className="mono"
        />
      </div>
      <BoundInput bind={bind} name="description" id="auto-description" label="Description" />
      <BoundTextArea
        bind={bind}
        name="pattern"
        id="auto-pattern"
        label="Reply pattern"
        hint="JavaScript regular expression, case-insensitive, tested on the raw reply"
        className="mono"
        rows={2}
        data-testid="auto-pattern"
      />
      <div className="grid-3">
        <BoundSelect bind={bind} name="triggerKind" path="trigger.kind" id="auto-trigger" label="Trigger">
          <option value="immediate">Immediately</option>
          <option value="count">N replies within a window</option>
        </BoundSelect>
        {form.triggerKind === 'count' && (
          <>
            <BoundInput
              bind={bind}
              name="count"
              path="trigger.count"
              id="auto-count"
              label="Replies (N)"
              inputMode="numeric"
            />
            <BoundInput
              bind={bind}
              name="window"
              path="trigger.windowMs"
              id="auto-window"
              label="Within"
              hint="e.g. 10m"
            />
          </>
        )}
      </div>
      <div className="grid-3">
        <BoundSelect bind={bind} name="actionKind" path="action.kind" id="auto-action" label="Action">
          <option value="suspend">Suspend the destination</option>
          <option value="throttle">Throttle the destination</option>
          <option value="bounce_queue">Bounce the queue</option>
        </BoundSelect>
        {form.actionKind === 'throttle' && (
          <>
            <BoundInput
              bind={bind}
              name="ratePercent"
              path="action.rateFactor"
              id="auto-rate"
              label="Rate (% of current)"
              inputMode="decimal"
            />
            <BoundInput
              bind={bind}
              name="maxConnections"
              path="action.maxConnections"
              id="auto-max-conn"
              label="Max connections"
              hint="Empty = unchanged"
              inputMode="numeric"
            />
          </>
        )}
      </div>
      {form.actionKind !== 'bounce_queue' ? (
        <BoundInput
          bind={bind}
          name="duration"
          path="action.durationMs"
          id="auto-duration"
          label="For"
          hint="e.g. 30m, 2h"
          className="input-short"
        />
      ) : (
        <p className="muted small">
          Every message queued for the destination fails at once with the triggering reply.
        </p>
      )}
      <BoundCheckbox bind={bind} name="enabled" label="Enabled" />
    </RuleEditorDrawer>
  );
}
