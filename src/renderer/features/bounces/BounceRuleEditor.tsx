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
import { RuleEditorDrawer } from '../rules/RuleEditorDrawer';
import { useRuleForm } from '../rules/use-rule-form';
import { BoundCheckbox, BoundInput, BoundSelect, BoundTextArea } from '../../components/BoundField';
import type { FieldErrors } from '../rules/rules-model';
import { bounceClassLabel, bounceRuleFromForm, type BounceRuleForm } from './bounce-rules-model';

/** The drawer editing one bounce rule. "Apply" changes the draft only; the tab's Save puts it in force. */
export function BounceRuleEditor({
  initial,
  position,
  isNew,
  placement,
  serverErrors,
  onApply,
  onClose,
}: {
  initial: BounceRuleForm;
  /** 1-based position in the table (where a new rule will go). */
  position: number;
  isNew: boolean;
  /** For a new rule: why it goes at `position`, in words. */
  placement?: string;
  /** Problems the server's rule checker reported for this rule, by field (`''` for the rule as a whole). */
  serverErrors: FieldErrors;
  onApply(rule: BounceRule): void;
  onClose(): void;
}) {
  const bind = useRuleForm(() => initial, bounceRuleFromForm, serverErrors, onApply);
  const { form, errors, submit } = bind;
  const otherErrors = Object.entries(errors)
    .filter(([path]) => !FORM_PATHS.has(path.split('.')[0] ?? ''))
    .flatMap(([, messages]) => messages);
  const mapping =
    form.bounceClass === '' ? null : (BOUNCE_CLASS_MAPPING[Number(form.bounceClass) as BounceClass] ?? null);

  return (
    <RuleEditorDrawer
      title={isNew ? `New bounce rule (#${position})` : `Bounce rule #${position} “${initial.id}”`}
      testId="bounce-rule-drawer"
      applyTestId="br-apply"
      note="Apply changes the rules shown; Save puts them in force at once, without a restart."
      onSubmit={submit}
      onClose={onClose}
    >
      {placement && (
        <p className="muted small" data-testid="br-placement">
          {placement}
        </p>
      )}
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
        <BoundInput
          bind={bind}
          name="id"
          id="br-id"
          label="Id"
          hint="Lower case, digits, . _ -"
          className="mono"
          data-testid="br-id"
        />
        <BoundInput
          bind={bind}
          name="provider"
          id="br-provider"
          label="Provider"
          hint="Whose reply: Gmail, Postfix…"
        />
      </div>
      <BoundInput bind={bind} name="description" id="br-description" label="Description" />
      <BoundTextArea
        bind={bind}
        name="pattern"
        id="br-pattern"
        label="Pattern"
        hint="JavaScript regular expression, case-insensitive, on the normalised reply text (without its codes). Empty = any text."
        className="mono"
        rows={3}
        data-testid="br-pattern"
      />
      <div className="grid-2">
        <BoundInput
          bind={bind}
          name="code"
          id="br-code"
          label="Reply code"
          hint="4xx, 5xx, 550, any, none; empty = any"
          className="mono"
          data-testid="br-code"
        />
        <BoundInput
          bind={bind}
          name="enhanced"
          id="br-enhanced"
          label="Enhanced code"
          hint="5.1.1, X.2.2, 5.7.*; empty = any"
          className="mono"
          data-testid="br-enhanced"
        />
        <BoundSelect bind={bind} name="command" id="br-command" label="Answering the command">
          <option value="">Any command</option>
          {BOUNCE_RULE_COMMANDS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </BoundSelect>
        <BoundInput
          bind={bind}
          name="mxScope"
          id="br-mx"
          label="MX scope"
          hint="e.g. *.google.com; empty = every MX"
          className="mono"
        />
      </div>
      <BoundSelect bind={bind} name="bounceClass" id="br-class" label="Bounce class" data-testid="br-class">
        {(isNew || form.bounceClass === '') && (
          <option value="" disabled>
            Choose a class…
          </option>
        )}
        {BOUNCE_CLASS_IDS.map((c) => (
          <option key={c} value={c}>
            {bounceClassLabel(c)}
          </option>
        ))}
      </BoundSelect>
      <div className="grid-2">
        <BoundSelect bind={bind} name="reason" id="br-reason" label="Reason" data-testid="br-reason">
          <option value="">
            {mapping ? `From the class: ${REASONS[mapping.reason].label}` : 'From the class'}
          </option>
          {REASON_IDS.map((r) => (
            <option key={r} value={r}>
              {REASONS[r].label}
            </option>
          ))}
        </BoundSelect>
        <BoundSelect bind={bind} name="type" id="br-type" label="Type" data-testid="br-type">
          <option value="">
            {mapping === null
              ? 'From the class'
              : `From the class: ${
                  mapping.permanent === mapping.transient
                    ? FAILURE_TYPE_LABELS[mapping.permanent]
                    : `${FAILURE_TYPE_LABELS[mapping.permanent]} / ${FAILURE_TYPE_LABELS[mapping.transient]}`
                }`}
          </option>
          {FAILURE_TYPES.map((t) => (
            <option key={t} value={t}>
              {FAILURE_TYPE_LABELS[t]}
            </option>
          ))}
        </BoundSelect>
      </div>
      <BoundCheckbox
        bind={bind}
        name="replyOnly"
        label="Replies only: never used to read a reason out of a bounce's whole text (for words common in boilerplate and footers)"
        data-testid="br-reply-only"
      />
      <BoundTextArea
        bind={bind}
        name="examples"
        id="br-examples"
        label="Examples"
        errors={Object.entries(errors)
          .filter(([path]) => path === 'examples' || path.startsWith('examples.'))
          .flatMap(([, m]) => m)}
        hint="Real replies this rule must catch, one per line. The checker proves it does and that no earlier rule takes them."
        className="mono"
        rows={3}
        data-testid="br-examples"
      />
    </RuleEditorDrawer>
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
  'replyOnly',
  'examples',
]);
