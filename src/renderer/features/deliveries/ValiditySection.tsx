import { MAX_VALIDITY_MS, formatDuration } from '../../../shared/domain/duration';
import { REPORTING_MODES, type ReportingMode } from '../../../shared/domain/statuses';
import { Card } from '../../components/Card';
import { Field, TextInput } from '../../components/Field';
import { checkValidity, type DeliveryForm, type FieldErrors } from './form-model';

const REPORTING: Record<ReportingMode, { label: string; hint: string }> = {
  efs: {
    label: 'EFS (Email Feedback Service)',
    hint: 'Sent only when the receiving server accepts the message; success starts at 0 % and grows with real deliveries.',
  },
  classic: {
    label: 'Classic',
    hint: 'Sent as soon as the message is relayed to the MTA; success starts at 100 % and drops with bounces.',
  },
};

export function ValiditySection({
  form,
  errors,
  onChange,
}: {
  form: DeliveryForm;
  errors: FieldErrors;
  onChange(patch: Partial<DeliveryForm>): void;
}) {
  const validity = checkValidity(form.validity);
  const clientError = validity.ok ? [] : [validity.message];
  const shownErrors = errors.validity ?? (form.validity.trim() ? clientError : []);
  return (
    <Card title="Validity and reporting">
      <Field
        label="Validity period"
        htmlFor="validity"
        errors={shownErrors}
        hint={
          validity.ok ? (
            validity.ms > MAX_VALIDITY_MS ? (
              <span className="field-warning" data-testid="validity-capped">
                {formatDuration(validity.ms)}: capped at 3.5 days by the MTA (counted from when each message
                reaches it).
              </span>
            ) : (
              `${formatDuration(validity.ms)}: how long the MTA retries soft bounces before a message is Failed.`
            )
          ) : (
            'A duration such as 5d, 3.5d, 12h or 90m.'
          )
        }
      >
        <TextInput
          id="validity"
          data-testid="validity"
          className="input-short mono"
          value={form.validity}
          invalid={shownErrors.length > 0}
          onChange={(e) => onChange({ validity: e.target.value })}
        />
      </Field>
      <fieldset className="choices" data-testid="reporting">
        <legend className="field-label">Reporting mode</legend>
        {REPORTING_MODES.map((mode) => (
          <label key={mode} className="choice">
            <input
              type="radio"
              name="reporting"
              value={mode}
              checked={form.reporting === mode}
              onChange={() => onChange({ reporting: mode })}
              data-testid={`reporting-${mode}`}
            />
            <span>
              <span className="choice-label">{REPORTING[mode].label}</span>
              <span className="choice-hint">{REPORTING[mode].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
    </Card>
  );
}
