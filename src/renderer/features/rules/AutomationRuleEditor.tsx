import type { AutomationRule } from '../../../shared/contract/mta';
import { Button } from '../../components/Button';
import { Drawer } from '../../components/Drawer';
import { useRuleForm } from './use-rule-form';
import { BoundInput, BoundSelect, BoundTextArea } from '../../components/BoundField';
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
  const { form, set, err, submit } = bind;

  return (
    <Drawer
      title={isNew ? 'New automation rule' : `Automation rule “${rule.id}”`}
      onClose={onClose}
      testId="automation-rule-drawer"
    >
      <form className="rule-form" onSubmit={submit} noValidate>
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
        <label className="choice">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          <span className="choice-label">Enabled</span>
        </label>
        <div className="rule-form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" testId="auto-apply">
            Apply
          </Button>
        </div>
        <p className="muted small">Apply changes the rules shown; Save on the page puts them in force.</p>
      </form>
    </Drawer>
  );
}
