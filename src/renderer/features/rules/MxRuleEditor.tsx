import { TLS_POLICIES, type MxRule } from '../../../shared/contract/mta';
import { Button } from '../../components/Button';
import { Drawer } from '../../components/Drawer';
import { useRuleForm } from './use-rule-form';
import { Field, Select, TextInput } from '../../components/Field';
import {
  isGenericRule,
  mxRuleFromForm,
  mxRuleToForm,
  TLS_LABELS,
  type FieldErrors,
  type MxRuleForm,
} from './rules-model';

/** The drawer editing one MX rule. "Apply" changes the draft only; the page's Save puts it in force. */
export function MxRuleEditor({
  rule,
  isNew,
  serverErrors,
  onApply,
  onClose,
}: {
  rule: MxRule;
  isNew: boolean;
  /** Problems the server or the document check reported for this rule, by field. */
  serverErrors: FieldErrors;
  onApply(rule: MxRule): void;
  onClose(): void;
}) {
  const generic = isGenericRule(rule);
  const { form, set, err, submit } = useRuleForm(
    () => mxRuleToForm(rule),
    mxRuleFromForm,
    serverErrors,
    onApply,
  );

  return (
    <Drawer title={isNew ? 'New MX rule' : `MX rule “${rule.id}”`} onClose={onClose} testId="mx-rule-drawer">
      <form className="rule-form" onSubmit={submit} noValidate>
        {generic && (
          <p className="muted small">
            The generic rule matches every destination no other rule matches. It always stays last and
            enabled.
          </p>
        )}
        {err('').length > 0 && <div className="field-error">{err('').join('; ')}</div>}
        <div className="grid-2">
          <Field label="Id" htmlFor="mx-id" errors={err('id')} hint="Lower case, digits, . _ -">
            <TextInput
              id="mx-id"
              className="mono"
              value={form.id}
              invalid={err('id').length > 0}
              onChange={(e) => set('id', e.target.value)}
              data-testid="mx-id"
            />
          </Field>
          <Field label="TLS" htmlFor="mx-tls" errors={err('tls')}>
            <Select
              id="mx-tls"
              value={form.tls}
              onChange={(e) => set('tls', e.target.value as MxRuleForm['tls'])}
            >
              {TLS_POLICIES.map((p) => (
                <option key={p} value={p}>
                  {TLS_LABELS[p]}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <Field label="Description" htmlFor="mx-description" errors={err('description')}>
          <TextInput
            id="mx-description"
            value={form.description}
            onChange={(e) => set('description', e.target.value)}
          />
        </Field>
        <div className="grid-2">
          <Field label="Match on" htmlFor="mx-match-kind" errors={err('match.kind')}>
            <Select
              id="mx-match-kind"
              value={form.matchKind}
              disabled={generic}
              onChange={(e) => set('matchKind', e.target.value as MxRuleForm['matchKind'])}
            >
              <option value="mx">MX host</option>
              <option value="domain">Recipient domain</option>
            </Select>
          </Field>
          <Field
            label="Mask"
            htmlFor="mx-mask"
            errors={err('match.mask')}
            hint={form.matchKind === 'mx' ? 'e.g. *.google.com' : 'e.g. gmail.com or *.example.org'}
          >
            <TextInput
              id="mx-mask"
              className="mono"
              value={form.mask}
              disabled={generic}
              invalid={err('match.mask').length > 0}
              onChange={(e) => set('mask', e.target.value)}
              data-testid="mx-mask"
            />
          </Field>
        </div>
        <div className="grid-3">
          <Field label="Max connections" htmlFor="mx-max-conn" errors={err('maxConnections')}>
            <TextInput
              id="mx-max-conn"
              inputMode="numeric"
              value={form.maxConnections}
              invalid={err('maxConnections').length > 0}
              onChange={(e) => set('maxConnections', e.target.value)}
            />
          </Field>
          <Field label="Messages / connection" htmlFor="mx-per-conn" errors={err('maxMessagesPerConnection')}>
            <TextInput
              id="mx-per-conn"
              inputMode="numeric"
              value={form.maxMessagesPerConnection}
              invalid={err('maxMessagesPerConnection').length > 0}
              onChange={(e) => set('maxMessagesPerConnection', e.target.value)}
            />
          </Field>
          <Field
            label="Messages / hour"
            htmlFor="mx-per-hour"
            errors={err('messagesPerHour')}
            hint="Empty = unlimited; smoothed over 12 × 5 min"
          >
            <TextInput
              id="mx-per-hour"
              inputMode="numeric"
              placeholder="unlimited"
              value={form.messagesPerHour}
              invalid={err('messagesPerHour').length > 0}
              onChange={(e) => set('messagesPerHour', e.target.value)}
              data-testid="mx-per-hour"
            />
          </Field>
        </div>
        <div className="grid-3">
          <Field
            label="Connect timeout"
            htmlFor="mx-connect"
            errors={err('timeouts.connectMs')}
            hint="e.g. 30s"
          >
            <TextInput
              id="mx-connect"
              value={form.connectTimeout}
              invalid={err('timeouts.connectMs').length > 0}
              onChange={(e) => set('connectTimeout', e.target.value)}
            />
          </Field>
          <Field
            label="Command timeout"
            htmlFor="mx-command"
            errors={err('timeouts.commandMs')}
            hint="e.g. 5m"
          >
            <TextInput
              id="mx-command"
              value={form.commandTimeout}
              invalid={err('timeouts.commandMs').length > 0}
              onChange={(e) => set('commandTimeout', e.target.value)}
            />
          </Field>
          <Field label="Data timeout" htmlFor="mx-data" errors={err('timeouts.dataMs')} hint="e.g. 10m">
            <TextInput
              id="mx-data"
              value={form.dataTimeout}
              invalid={err('timeouts.dataMs').length > 0}
              onChange={(e) => set('dataTimeout', e.target.value)}
            />
          </Field>
        </div>
        <label className="choice">
          <input
            type="checkbox"
            checked={form.enabled}
            disabled={generic}
            onChange={(e) => set('enabled', e.target.checked)}
          />
          <span className="choice-label">Enabled</span>
        </label>
        <div className="rule-form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" testId="mx-apply">
            Apply
          </Button>
        </div>
        <p className="muted small">Apply changes the rules shown; Save on the page puts them in force.</p>
      </form>
    </Drawer>
  );
}
