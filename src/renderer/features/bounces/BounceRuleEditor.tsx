import {
  BOUNCE_CLASS_MAPPING,
  BOUNCE_RULE_COMMANDS,
  type BounceRule,
} from '../../../shared/domain/bounce-rules';
import {
  BOUNCE_CLASS_IDS,
  FAILURE_TYPE_LABELS,
  FAILURE_TYPES,
  REASON_IDS,
  REASONS,
  type BounceClass,
} from '../../../shared/domain/reasons';
import { Button } from '../../components/Button';
import { Drawer } from '../../components/Drawer';
import { useRuleForm } from '../rules/use-rule-form';
import { Field, Select, TextArea, TextInput } from '../../components/Field';
import type { FieldErrors } from '../rules/rules-model';
import {
  bounceClassLabel,
  bounceRuleFromForm,
  bounceRuleToForm,
  type BounceRuleForm,
} from './bounce-rules-model';

/** The drawer editing one bounce rule. "Apply" changes the draft only; the tab's Save puts it in force. */
export function BounceRuleEditor({
  rule,
  position,
  isNew,
  serverErrors,
  onApply,
  onClose,
}: {
  rule: BounceRule;
  /** 1-based position in the table (where a new rule will go). */
  position: number;
  isNew: boolean;
  /** Problems the server's rule checker reported for this rule, by field (`''` for the rule as a whole). */
  serverErrors: FieldErrors;
  onApply(rule: BounceRule): void;
  onClose(): void;
}) {
  const { form, set, errors, err, submit } = useRuleForm(
    () => bounceRuleToForm(rule),
    bounceRuleFromForm,
    serverErrors,
    onApply,
  );
  const otherErrors = Object.entries(errors)
    .filter(([path]) => !FORM_PATHS.has(path.split('.')[0] ?? ''))
    .flatMap(([, messages]) => messages);
  const mapping = BOUNCE_CLASS_MAPPING[Number(form.bounceClass) as BounceClass] ?? BOUNCE_CLASS_MAPPING[1];

  return (
    <Drawer
      title={isNew ? `New bounce rule (#${position})` : `Bounce rule #${position} “${rule.id}”`}
      onClose={onClose}
      testId="bounce-rule-drawer"
    >
      <form className="rule-form" onSubmit={submit} noValidate>
        {otherErrors.length > 0 && (
          <div className="field-error-list" role="alert" data-testid="bounce-rule-problems">
            {otherErrors.map((m, i) => (
              <div key={i} className="field-error">
                {m}
              </div>
            ))}
          </div>
        )}
        <div className="grid-2">
          <Field label="Id" htmlFor="br-id" errors={err('id')} hint="Lower case, digits, . _ -">
            <TextInput
              id="br-id"
              className="mono"
              value={form.id}
              invalid={err('id').length > 0}
              onChange={(e) => set('id', e.target.value)}
              data-testid="br-id"
            />
          </Field>
          <Field
            label="Provider"
            htmlFor="br-provider"
            errors={err('provider')}
            hint="Whose reply: Gmail, Postfix…"
          >
            <TextInput
              id="br-provider"
              value={form.provider}
              onChange={(e) => set('provider', e.target.value)}
            />
          </Field>
        </div>
        <Field label="Description" htmlFor="br-description" errors={err('description')}>
          <TextInput
            id="br-description"
            value={form.description}
            onChange={(e) => set('description', e.target.value)}
          />
        </Field>
        <Field
          label="Pattern"
          htmlFor="br-pattern"
          errors={err('pattern')}
          hint="JavaScript regular expression, case-insensitive, on the normalised reply text (without its codes). Empty = any text."
        >
          <TextArea
            id="br-pattern"
            className="mono"
            rows={3}
            value={form.pattern}
            invalid={err('pattern').length > 0}
            onChange={(e) => set('pattern', e.target.value)}
            data-testid="br-pattern"
          />
        </Field>
        <div className="grid-2">
          <Field
            label="Reply code"
            htmlFor="br-code"
            errors={err('code')}
            hint="4xx, 5xx, 550, any, none; empty = any"
          >
            <TextInput
              id="br-code"
              className="mono"
              value={form.code}
              invalid={err('code').length > 0}
              onChange={(e) => set('code', e.target.value)}
              data-testid="br-code"
            />
          </Field>
          <Field
            label="Enhanced code"
            htmlFor="br-enhanced"
            errors={err('enhanced')}
            hint="5.1.1, X.2.2, 5.7.*; empty = any"
          >
            <TextInput
              id="br-enhanced"
              className="mono"
              value={form.enhanced}
              invalid={err('enhanced').length > 0}
              onChange={(e) => set('enhanced', e.target.value)}
              data-testid="br-enhanced"
            />
          </Field>
          <Field label="Answering the command" htmlFor="br-command" errors={err('command')}>
            <Select
              id="br-command"
              value={form.command}
              onChange={(e) => set('command', e.target.value as BounceRuleForm['command'])}
            >
              <option value="">Any command</option>
              {BOUNCE_RULE_COMMANDS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label="MX scope"
            htmlFor="br-mx"
            errors={err('mxScope')}
            hint="e.g. *.google.com; empty = every MX"
          >
            <TextInput
              id="br-mx"
              className="mono"
              value={form.mxScope}
              invalid={err('mxScope').length > 0}
              onChange={(e) => set('mxScope', e.target.value)}
            />
          </Field>
        </div>
        <Field label="Bounce class" htmlFor="br-class" errors={err('bounceClass')}>
          <Select
            id="br-class"
            value={form.bounceClass}
            onChange={(e) => set('bounceClass', e.target.value)}
            data-testid="br-class"
          >
            {BOUNCE_CLASS_IDS.map((c) => (
              <option key={c} value={c}>
                {bounceClassLabel(c)}
              </option>
            ))}
          </Select>
        </Field>
        <div className="grid-2">
          <Field label="Reason" htmlFor="br-reason" errors={err('reason')}>
            <Select
              id="br-reason"
              value={form.reason}
              onChange={(e) => set('reason', e.target.value as BounceRuleForm['reason'])}
              data-testid="br-reason"
            >
              <option value="">From the class: {REASONS[mapping.reason].label}</option>
              {REASON_IDS.map((r) => (
                <option key={r} value={r}>
                  {REASONS[r].label}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Type" htmlFor="br-type" errors={err('type')}>
            <Select
              id="br-type"
              value={form.type}
              onChange={(e) => set('type', e.target.value as BounceRuleForm['type'])}
              data-testid="br-type"
            >
              <option value="">
                From the class:{' '}
                {mapping.permanent === mapping.transient
                  ? FAILURE_TYPE_LABELS[mapping.permanent]
                  : `${FAILURE_TYPE_LABELS[mapping.permanent]} / ${FAILURE_TYPE_LABELS[mapping.transient]}`}
              </option>
              {FAILURE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {FAILURE_TYPE_LABELS[t]}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <Field
          label="Examples"
          htmlFor="br-examples"
          errors={Object.entries(errors)
            .filter(([path]) => path === 'examples' || path.startsWith('examples.'))
            .flatMap(([, m]) => m)}
          hint="Real replies this rule must catch, one per line. The checker proves it does and that no earlier rule takes them."
        >
          <TextArea
            id="br-examples"
            className="mono"
            rows={3}
            value={form.examples}
            onChange={(e) => set('examples', e.target.value)}
            data-testid="br-examples"
          />
        </Field>
        <div className="rule-form-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" testId="br-apply">
            Apply
          </Button>
        </div>
        <p className="muted small">
          Apply changes the rules shown; Save puts them in force at once, without a restart.
        </p>
      </form>
    </Drawer>
  );
}

/** Fields shown with their own control; problems on anything else are listed at the top. */
const FORM_PATHS = new Set([
  'id',
  'provider',
  'description',
  'pattern',
  'code',
  'enhanced',
  'command',
  'mxScope',
  'bounceClass',
  'reason',
  'type',
  'examples',
]);
