import type { AppInfo } from '../../../shared/contract';
import { formatDuration, MAX_VALIDITY_MS } from '../../../shared/domain/duration';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { Field, Select, TextInput } from '../../components/Field';
import {
  TIME_SCALES,
  usesSandbox,
  type DeliveryForm,
  type FieldErrors,
  type RouteDraft,
  type RoutingMode,
} from './form-model';

export interface RoutingSectionProps {
  form: DeliveryForm;
  defaultRoute: AppInfo['defaultRoute'] | undefined;
  sandbox: AppInfo['sandbox'] | undefined;
  errors: FieldErrors;
  onChange(patch: Partial<DeliveryForm>): void;
}

function describeDefault(route: AppInfo['defaultRoute'] | undefined): string {
  if (!route) return 'direct delivery to each domain’s MX hosts';
  return route.kind === 'sandbox' ? 'the built-in sandbox' : `SMTP ${route.host}:${route.port}`;
}

let nextRouteKey = 1;

export function RoutingSection({ form, defaultRoute, sandbox, errors, onChange }: RoutingSectionProps) {
  const modes: { id: RoutingMode; label: string; hint: string }[] = [
    {
      id: 'sandbox',
      label: 'Sandbox (built-in simulated receivers)',
      hint: sandbox?.domains.length
        ? `Loopback servers for ${sandbox.domains.join(', ')}; nothing leaves this machine.`
        : 'Loopback servers; nothing leaves this machine.',
    },
    {
      id: 'smarthost',
      label: 'SMTP smart host',
      hint: 'Every domain without a route below is relayed to this host.',
    },
  ];
  if (defaultRoute?.kind !== 'sandbox')
    modes.push({
      id: 'default',
      label: 'Default route',
      hint: `As configured: ${describeDefault(defaultRoute)}.`,
    });

  const setRoute = (index: number, patch: Partial<RouteDraft>) =>
    onChange({ routes: form.routes.map((r, i) => (i === index ? { ...r, ...patch } : r)) });
  const sandboxInUse = usesSandbox(form, defaultRoute);

  return (
    <Card
      title="Routing"
      description="Where the MTA relays each message. The most specific domain route wins."
    >
      <fieldset className="choices" data-testid="routing">
        <legend className="field-label">Route</legend>
        {modes.map((m) => (
          <label key={m.id} className="choice">
            <input
              type="radio"
              name="routing"
              value={m.id}
              checked={form.routing === m.id}
              onChange={() => onChange({ routing: m.id })}
              data-testid={`routing-${m.id}`}
            />
            <span>
              <span className="choice-label">{m.label}</span>
              <span className="choice-hint">{m.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {form.routing === 'smarthost' && (
        <Field
          label="Smart host"
          htmlFor="smarthost"
          errors={errors.smarthost}
          hint="HOST:PORT, e.g. smtp.example.net:25"
        >
          <TextInput
            id="smarthost"
            data-testid="smarthost"
            className="mono"
            placeholder="127.0.0.1:2525"
            value={form.smarthost}
            invalid={!!errors.smarthost}
            onChange={(e) => onChange({ smarthost: e.target.value })}
          />
        </Field>
      )}

      <div className="subsection">
        <div className="subsection-header">
          <span className="field-label">Domain routes</span>
          <Button
            size="sm"
            onClick={() =>
              onChange({
                routes: [...form.routes, { key: nextRouteKey++, mask: '', target: 'sandbox', hostPort: '' }],
              })
            }
            testId="add-route"
          >
            Add route
          </Button>
        </div>
        {form.routes.length === 0 ? (
          <p className="muted small">
            Optional: send a domain or mask (example.com, *.example.com, *) somewhere else.
          </p>
        ) : (
          <div className="routes" data-testid="routes">
            {form.routes.map((r, i) => (
              <div key={r.key} className="route-row">
                <Field
                  label="Domain or mask"
                  htmlFor={`route-mask-${r.key}`}
                  errors={errors[`routes.${i}.mask`]}
                  className="sr-label"
                >
                  <TextInput
                    id={`route-mask-${r.key}`}
                    className="mono"
                    placeholder="*.example.com"
                    value={r.mask}
                    invalid={!!errors[`routes.${i}.mask`]}
                    onChange={(e) => setRoute(i, { mask: e.target.value })}
                    data-testid={`route-mask-${i}`}
                  />
                </Field>
                <span className="muted" aria-hidden="true">
                  →
                </span>
                <Select
                  aria-label="Route target"
                  value={r.target}
                  onChange={(e) => setRoute(i, { target: e.target.value as RouteDraft['target'] })}
                  data-testid={`route-target-${i}`}
                >
                  <option value="sandbox">Sandbox</option>
                  <option value="smtp">SMTP host</option>
                </Select>
                {r.target === 'smtp' ? (
                  <Field
                    label="Host and port"
                    htmlFor={`route-host-${r.key}`}
                    errors={errors[`routes.${i}.target`]}
                    className="sr-label"
                  >
                    <TextInput
                      id={`route-host-${r.key}`}
                      className="mono"
                      placeholder="HOST:PORT"
                      value={r.hostPort}
                      invalid={!!errors[`routes.${i}.target`]}
                      onChange={(e) => setRoute(i, { hostPort: e.target.value })}
                      data-testid={`route-host-${i}`}
                    />
                  </Field>
                ) : (
                  <span />
                )}
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Remove route ${r.mask || i + 1}`}
                  onClick={() => onChange({ routes: form.routes.filter((_, j) => j !== i) })}
                >
                  Remove
                </Button>
              </div>
            ))}
          </div>
        )}
      </div>

      {sandboxInUse && (
        <Field
          label="Sandbox time compression"
          htmlFor="time-scale"
          errors={errors.timeScale}
          hint={
            form.timeScale === 1
              ? 'Real time: retries and validity take as long as they would on the internet.'
              : `Retry delays and validity run ${form.timeScale} times faster (3.5 days pass in ${formatDuration(MAX_VALIDITY_MS / form.timeScale)}).`
          }
        >
          <Select
            id="time-scale"
            className="input-short"
            data-testid="time-scale"
            value={form.timeScale}
            onChange={(e) => onChange({ timeScale: Number(e.target.value) })}
          >
            {TIME_SCALES.map((s) => (
              <option key={s} value={s}>
                {s === 1 ? '×1 (real time)' : `×${s}`}
              </option>
            ))}
          </Select>
        </Field>
      )}
    </Card>
  );
}
