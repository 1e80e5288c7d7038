import type { AutomationRule } from '../../../shared/contract/mta';
import { Button } from '../../components/Button';
import { Drawer } from '../../components/Drawer';
import { useRuleForm } from './use-rule-form';
import { Field, Select, TextArea, TextInput } from '../../components/Field';
import {
  automationRuleFromForm,
  automationRuleToForm,
  type AutomationRuleForm,
  type FieldErrors,
} from './rules-model';

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
  const { form, set, err, submit } = useRuleForm(
    () => automationRuleToForm(rule),
    automationRuleFromForm,
    serverErrors,
    onApply,
  );

  return (
    <Drawer
      title={isNew ? 'New automation rule' : `Automation rule “${rule.id}”`}
      onClose={onClose}
      testId="automation-rule-drawer"
    >
      <form className="rule-form" onSubmit={submit} noValidate>
        {err('').length > 0 && <div className="field-error">{err('').join('; ')}</div>}
        <div className="grid-2">
          <Field label="Id" htmlFor="auto-id" errors={err('id')}>
            <TextInput
              id="auto-id"
              className="mono"
              value={form.id}
              invalid={err('id').length > 0}
              onChange={(e) => set('id', e.target.value)}
            />
          </Field>
          <Field
            label="Scope (MX host mask)"
            htmlFor="auto-scope"
            errors={err('scope')}
            hint="* = every destination"
          >
            <TextInput
              id="auto-scope"
              className="mono"
              value={form.scope}
              invalid={err('scope').length > 0}
              onChange={(e) => set('scope', e.target.value)}
            />
          </Field>
        </div>
        <Field label="Description" htmlFor="auto-description" errors={err('description')}>
          <TextInput
            id="auto-description"
            value={form.description}
            onChange={(e) => set('description', e.target.value)}
          />
        </Field>
        <Field
          label="Reply pattern"
          htmlFor="auto-pattern"
          errors={err('pattern')}
          hint="JavaScript regular expression, case-insensitive, tested on the raw reply"
        >
          <TextArea
            id="auto-pattern"
            className="mono"
            rows={2}
            value={form.pattern}
            invalid={err('pattern').length > 0}
            onChange={(e) => set('pattern', e.target.value)}
            data-testid="auto-pattern"
          />
        </Field>
        <div className="grid-3">
          <Field label="Trigger" htmlFor="auto-trigger">
            <Select
              id="auto-trigger"
              value={form.triggerKind}
              onChange={(e) => set('triggerKind', e.target.value as AutomationRuleForm['triggerKind'])}
            >
              <option value="immediate">Immediately</option>
              <option value="count">N replies within a window</option>
            </Select>
          </Field>
          {form.triggerKind === 'count' && (
            <>
              <Field label="Replies (N)" htmlFor="auto-count" errors={err('trigger.count')}>
                <TextInput
                  id="auto-count"
                  inputMode="numeric"
                  value={form.count}
                  invalid={err('trigger.count').length > 0}
                  onChange={(e) => set('count', e.target.value)}
                />
              </Field>
              <Field label="Within" htmlFor="auto-window" errors={err('trigger.windowMs')} hint="e.g. 10m">
                <TextInput
                  id="auto-window"
                  value={form.window}
                  invalid={err('trigger.windowMs').length > 0}
                  onChange={(e) => set('window', e.target.value)}
                />
              </Field>
            </>
          )}
        </div>
        <div className="grid-3">
          <Field label="Action" htmlFor="auto-action">
            <Select
              id="auto-action"
              value={form.actionKind}
              onChange={(e) => set('actionKind', e.target.value as AutomationRuleForm['actionKind'])}
            >
              <option value="suspend">Suspend the destination</option>
              <option value="throttle">Throttle the destination</option>
              <option value="bounce_queue">Bounce the queue</option>
            </Select>
          </Field>
          {form.actionKind === 'throttle' && (
            <>
              <Field label="Rate (% of current)" htmlFor="auto-rate" errors={err('action.rateFactor')}>
                <TextInput
                  id="auto-rate"
                  inputMode="decimal"
                  value={form.ratePercent}
                  invalid={err('action.rateFactor').length > 0}
                  onChange={(e) => set('ratePercent', e.target.value)}
                />
              </Field>
              <Field
                label="Max connections"
                htmlFor="auto-max-conn"
                errors={err('action.maxConnections')}
                hint="Empty = unchanged"
              >
                <TextInput
                  id="auto-max-conn"
                  inputMode="numeric"
                  value={form.maxConnections}
                  invalid={err('action.maxConnections').length > 0}
                  onChange={(e) => set('maxConnections', e.target.value)}
                />
              </Field>
            </>
          )}
        </div>
        {form.actionKind !== 'bounce_queue' ? (
          <Field label="For" htmlFor="auto-duration" errors={err('action.durationMs')} hint="e.g. 30m, 2h">
            <TextInput
              id="auto-duration"
              className="input-short"
              value={form.duration}
              invalid={err('action.durationMs').length > 0}
              onChange={(e) => set('duration', e.target.value)}
            />
          </Field>
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
