import { Card } from '../../components/Card';
import { BoundInput, type FormBinding } from '../../components/BoundField';
import { adaptiveFromForm, type AdaptiveForm, type FieldErrors } from './rules-model';

const FIELDS: readonly { key: keyof AdaptiveForm; path: string; label: string; hint: string }[] = [
  {
    key: 'decreasePercent',
    path: 'decreaseFactor',
    label: 'On a rate signal, rate × (%)',
    hint: 'multiplicative decrease',
  },
  {
    key: 'suspendAfterSignals',
    path: 'suspendAfterSignals',
    label: 'Suspend after N signals',
    hint: 'in a row, within the window',
  },
  { key: 'signalWindow', path: 'signalWindowMs', label: 'Signal window', hint: 'e.g. 10m' },
  { key: 'suspend', path: 'suspendMs', label: 'Suspend for at most', hint: '1 min first, doubling' },
  {
    key: 'increasePercent',
    path: 'increaseShare',
    label: 'Raise by (% of the limit)',
    hint: 'additive increase',
  },
  { key: 'increasePeriod', path: 'increasePeriodMs', label: 'after acceptance for', hint: 'e.g. 5m' },
  {
    key: 'breakerPercent',
    path: 'breakerRatio',
    label: 'Breaker: failure rate (%)',
    hint: 'of recent attempts',
  },
  {
    key: 'breakerMinAttempts',
    path: 'breakerMinAttempts',
    label: 'Breaker: min. attempts',
    hint: 'before it can open',
  },
  { key: 'breakerBlock', path: 'breakerBlockMs', label: 'Breaker: block for', hint: 'e.g. 3h' },
];

/** The adaptive behaviour used when no automation rule matches (SPEC §6), edited in place. */
export function AdaptiveSettingsForm({
  value,
  serverErrors,
  onChange,
}: {
  value: AdaptiveForm;
  serverErrors: FieldErrors;
  onChange(next: AdaptiveForm): void;
}) {
  const checked = adaptiveFromForm(value);
  const errors = checked.ok ? serverErrors : checked.errors;
  const bind: FormBinding<AdaptiveForm> = {
    form: value,
    set: (key, v) => onChange({ ...value, [key]: v }),
    err: (path) => errors[path] ?? [],
  };
  return (
    <Card
      title="Adaptive behaviour"
      description="Without a matching automation rule, 421 and rate-limit replies slow a destination down; sustained acceptance raises it back toward its rule's limit."
      testId="adaptive-settings"
    >
      <div className="adaptive-grid">
        {FIELDS.map((f) => (
          <BoundInput
            key={f.key}
            bind={bind}
            name={f.key}
            path={f.path}
            id={`adaptive-${f.key}`}
            label={f.label}
            hint={f.hint}
          />
        ))}
      </div>
    </Card>
  );
}
