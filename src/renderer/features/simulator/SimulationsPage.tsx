/**
 * "Simulations": a campaign run against the provider profiles on a virtual clock under one to four scenarios
 * (validity, reporting mode, recipients per transaction, MX and automation rules), then compared side by side.
 * The form above starts one; the list below follows every simulation live (`simulation.changed`).
 */
import { useRef, useState, type ChangeEvent } from 'react';
import { checkRulesJson, describeRules } from '../../../shared/contract/rules-json';
import type { SimulationSummary } from '../../../shared/contract/simulation';
import type { SavedTemplate, SampleList } from '../../../shared/contract';
import { useMutation, useQuery } from '../../api/hooks';
import { navigate, paths } from '../../app/router';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { Field, fieldDescription, Select, TextInput } from '../../components/Field';
import { formatCount, formatDateTime } from '../../components/format';
import { ProgressBar } from '../../components/ProgressBar';
import {
  checkSimulationForm,
  countCsvRows,
  errorsByPath,
  formatSpan,
  MAX_SCENARIOS,
  nextScenarioName,
  progressOf,
  scenarioForm,
  type FormErrors,
  type ScenarioForm,
  type SimulationForm,
} from './simulation-model';
import './simulator.css';

export function SimulationsPage() {
  return (
    <div className="page" data-testid="simulations-page">
      <header className="page-header">
        <div className="min-w-0">
          <h1 className="page-title">Simulations</h1>
          <p className="page-subtitle">
            Run a campaign against the <a href={paths.simulatorProfiles()}>provider profiles</a> on a virtual
            clock (days of retries in seconds) under up to four scenarios, then compare their outcomes side by
            side. Nothing is sent: every receiver is simulated.
          </p>
        </div>
      </header>
      <NewSimulation />
      <SimulationList />
    </div>
  );
}

// ---------------------------------------------------------------- the form

function NewSimulation() {
  const templates = useQuery('templates.list', {});
  const samples = useQuery('samples.lists', {});
  const profiles = useQuery('profiles.get', {});
  const start = useMutation('simulations.start');
  const [form, setForm] = useState<SimulationForm>(() => ({
    name: '',
    recipients: null,
    templateId: '',
    seed: '',
    scenarios: [scenarioForm('A'), scenarioForm('B')],
  }));
  const [errors, setErrors] = useState<FormErrors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const csvInput = useRef<HTMLInputElement>(null);

  const templateItems = templates.data?.items ?? [];
  const templateId = form.templateId || templateItems[0]?.id || '';
  const defaultSeed = profiles.data ? String(profiles.data.document.seed) : '';
  const err = (path: string) => errors[path] ?? [];
  /** An edited field's problems go (they were about the value before). */
  const clear = (...paths: string[]) =>
    setErrors((e) =>
      paths.some((p) => p in e)
        ? Object.fromEntries(Object.entries(e).filter(([k]) => !paths.includes(k)))
        : e,
    );
  const FORM_PATHS: Record<string, string> = {
    name: 'name',
    recipients: 'recipients',
    templateId: 'template',
    seed: 'seed',
  };
  const SCENARIO_PATHS: Record<string, string> = {
    name: 'name',
    validity: 'validityMs',
    perTransaction: 'recipientsPerTransaction',
    rules: 'rules',
  };
  const patch = (p: Partial<SimulationForm>) => {
    clear(...Object.keys(p).map((k) => FORM_PATHS[k] ?? k));
    setForm((f) => ({ ...f, ...p }));
  };
  const patchScenario = (i: number, p: Partial<ScenarioForm>) => {
    clear(...Object.keys(p).map((k) => `scenarios.${i}.${SCENARIO_PATHS[k] ?? k}`));
    setForm((f) => ({ ...f, scenarios: f.scenarios.map((s, j) => (j === i ? { ...s, ...p } : s)) }));
  };

  const onCsv = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    patch({ recipients: { fileName: file.name, csv: await file.text(), source: 'file' } });
  };

  const onStart = async () => {
    setNotice(null);
    const checked = checkSimulationForm({ ...form, templateId }, templateItems);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    const result = await start.mutate(checked.input);
    if (!result.ok) {
      setErrors(errorsByPath(result.error.details ?? []));
      return;
    }
    setNotice(`“${result.value.name}” started: it runs in the background and appears below.`);
    patch({ name: '' });
  };

  const hasErrors = Object.keys(errors).length > 0;

  return (
    <Card
      title="New simulation"
      description="The same recipients and message under each scenario; every recipient meets the same receiver's fate in all of them (the seed), so the differences come from the scenarios."
      testId="new-simulation"
    >
      <form
        className="sim-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void onStart();
        }}
      >
        {notice && (
          <Notice tone="blue" testId="simulation-started">
            {notice}
          </Notice>
        )}
        {hasErrors && !start.error && (
          <div className="field-error" role="alert" data-testid="simulation-form-problems">
            Some fields need attention: see the messages under them.
          </div>
        )}
        <ErrorBanner
          error={start.error && (start.error.details?.length ?? 0) === 0 ? start.error : null}
          title="The simulation could not be started"
        />
        <div className="grid-2">
          <TextField
            id="sim-name"
            label="Name"
            value={form.name}
            errors={err('name')}
            placeholder="e.g. Spring newsletter: 1 vs 10 recipients per transaction"
            onChange={(name) => patch({ name })}
          />
          <Field
            label="Message"
            htmlFor="sim-template"
            hint="A saved template (New delivery saves them)"
            errors={err('template')}
          >
            <Select
              id="sim-template"
              value={templateId}
              invalid={err('template').length > 0}
              aria-describedby={fieldDescription('sim-template', 'x', err('template'))}
              onChange={(e) => patch({ templateId: e.target.value })}
              data-testid="sim-template"
            >
              {templateItems.length === 0 && <option value="">No saved template</option>}
              {templateItems.map((t: SavedTemplate) => (
                <option key={t.id} value={t.id}>
                  {t.name} — {t.subject}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <div className="grid-2">
          <Field
            label="Recipients"
            htmlFor="sim-recipients"
            hint={
              form.recipients
                ? `${form.recipients.fileName}: ${formatCount(countCsvRows(form.recipients.csv))} rows`
                : 'A saved list, or a CSV file with an email column'
            }
            errors={err('recipients')}
          >
            <div className="sim-picker">
              <Select
                id="sim-recipients"
                value={form.recipients?.source === 'sample' ? form.recipients.fileName : ''}
                invalid={err('recipients').length > 0}
                aria-describedby={fieldDescription('sim-recipients', 'x', err('recipients'))}
                onChange={(e) => {
                  const list = (samples.data?.items ?? []).find(
                    (s: SampleList) => s.fileName === e.target.value,
                  );
                  patch({
                    recipients: list ? { fileName: list.fileName, csv: list.csv, source: 'sample' } : null,
                  });
                }}
                data-testid="sim-sample"
              >
                <option value="">
                  {form.recipients?.source === 'file' ? form.recipients.fileName : 'Choose a list…'}
                </option>
                {(samples.data?.items ?? []).map((s: SampleList) => (
                  <option key={s.id} value={s.fileName}>
                    {s.name}
                  </option>
                ))}
              </Select>
              <Button onClick={() => csvInput.current?.click()} testId="sim-csv">
                CSV file…
              </Button>
              <input
                ref={csvInput}
                type="file"
                accept=".csv,text/csv,text/plain"
                hidden
                onChange={(e) => void onCsv(e)}
                data-testid="sim-csv-input"
              />
            </div>
          </Field>
          <TextField
            id="sim-seed"
            label="Seed"
            value={form.seed}
            errors={err('seed')}
            placeholder={defaultSeed ? `${defaultSeed} (the profiles’ seed)` : 'the profiles’ seed'}
            hint="Empty: the provider profiles’ seed. Another seed draws other recipients’ fates."
            inputMode="numeric"
            onChange={(seed) => patch({ seed })}
          />
        </div>

        <div className="sim-scenarios" data-testid="sim-scenarios">
          {form.scenarios.map((s, i) => (
            <ScenarioCard
              key={i}
              index={i}
              scenario={s}
              err={err}
              canRemove={form.scenarios.length > 1}
              onChange={(p) => patchScenario(i, p)}
              onRemove={() => setForm((f) => ({ ...f, scenarios: f.scenarios.filter((_, j) => j !== i) }))}
            />
          ))}
        </div>
        <div className="row gap-1 sim-form-actions">
          <Button
            onClick={() =>
              setForm((f) => ({
                ...f,
                scenarios: [...f.scenarios, scenarioForm(nextScenarioName(f.scenarios))],
              }))
            }
            disabled={form.scenarios.length >= MAX_SCENARIOS}
            testId="sim-add-scenario"
            title={form.scenarios.length >= MAX_SCENARIOS ? 'Up to four scenarios' : undefined}
          >
            Add scenario
          </Button>
          <span className="topbar-spacer" />
          <Button type="submit" variant="primary" disabled={start.pending} testId="sim-start">
            {start.pending ? 'Starting…' : 'Start simulation'}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function TextField({
  id,
  label,
  value,
  errors,
  hint,
  placeholder,
  inputMode,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  errors: readonly string[];
  hint?: string;
  placeholder?: string;
  inputMode?: 'numeric' | 'decimal';
  onChange(value: string): void;
}) {
  return (
    <Field label={label} htmlFor={id} hint={hint} errors={errors}>
      <TextInput
        id={id}
        value={value}
        placeholder={placeholder}
        inputMode={inputMode}
        invalid={errors.length > 0}
        aria-describedby={fieldDescription(id, hint, errors)}
        onChange={(e) => onChange(e.target.value)}
        data-testid={id}
      />
    </Field>
  );
}

function ScenarioCard({
  index,
  scenario: s,
  err,
  canRemove,
  onChange,
  onRemove,
}: {
  index: number;
  scenario: ScenarioForm;
  err(path: string): string[];
  canRemove: boolean;
  onChange(p: Partial<ScenarioForm>): void;
  onRemove(): void;
}) {
  const rulesInput = useRef<HTMLInputElement>(null);
  const [rulesProblem, setRulesProblem] = useState<string | null>(null);
  const prefix = `scenarios.${index}`;
  const id = (name: string) => `sim-s${index}-${name}`;

  const onRulesFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    const checked = checkRulesJson(await file.text());
    if (!checked.ok) {
      const first = checked.problems[0];
      setRulesProblem(
        `${file.name} is not a valid rules file${first ? `: ${first.field ? `${first.field}: ` : ''}${first.message}` : ''}`,
      );
      return;
    }
    setRulesProblem(null);
    onChange({ rules: { kind: 'file', fileName: file.name, doc: checked.doc } });
  };

  const rulesErrors = [...err(`${prefix}.rules`), ...(rulesProblem ? [rulesProblem] : [])];

  return (
    <fieldset className="sim-scenario" data-testid="sim-scenario">
      <legend className="sim-scenario-title">
        Scenario {index + 1}
        {canRemove && (
          <Button
            size="sm"
            variant="ghost"
            onClick={onRemove}
            aria-label={`Remove scenario ${index + 1}`}
            title="Remove this scenario"
          >
            ✕
          </Button>
        )}
      </legend>
      <div className="grid-2">
        <TextField
          id={id('name')}
          label="Name"
          value={s.name}
          errors={err(`${prefix}.name`)}
          onChange={(name) => onChange({ name })}
        />
        <TextField
          id={id('validity')}
          label="Validity"
          value={s.validity}
          errors={err(`${prefix}.validityMs`)}
          hint="Up to 3d 12h, e.g. 12h"
          onChange={(validity) => onChange({ validity })}
        />
      </div>
      <TextField
        id={id('per-transaction')}
        label="Recipients per transaction"
        value={s.perTransaction}
        errors={err(`${prefix}.recipientsPerTransaction`)}
        hint="1 to 100 recipients of one domain in one SMTP transaction"
        inputMode="numeric"
        onChange={(perTransaction) => onChange({ perTransaction })}
      />
      <Field label="Reporting" htmlFor={id('reporting')}>
        <Select
          id={id('reporting')}
          value={s.reporting}
          onChange={(e) => onChange({ reporting: e.target.value as ScenarioForm['reporting'] })}
        >
          <option value="efs">EFS: sent = accepted by the receiver</option>
          <option value="classic">Classic: sent = relayed</option>
        </Select>
      </Field>
      <Field
        label="MX and automation rules"
        htmlFor={id('rules')}
        hint={
          s.rules.kind === 'file'
            ? `${s.rules.fileName}: ${describeRules(s.rules.doc)}`
            : 'The rules in force (MX rules page)'
        }
        errors={rulesErrors}
      >
        <div className="sim-picker">
          <Select
            id={id('rules')}
            value={s.rules.kind}
            invalid={rulesErrors.length > 0}
            aria-describedby={fieldDescription(id('rules'), 'x', rulesErrors)}
            onChange={(e) => {
              if (e.target.value === 'stored') {
                setRulesProblem(null);
                onChange({ rules: { kind: 'stored' } });
              } else rulesInput.current?.click();
            }}
          >
            <option value="stored">Stored rules</option>
            <option value="file">{s.rules.kind === 'file' ? s.rules.fileName : 'From a JSON file…'}</option>
          </Select>
          {s.rules.kind === 'file' && (
            <Button size="sm" onClick={() => rulesInput.current?.click()}>
              Other file…
            </Button>
          )}
        </div>
        <input
          ref={rulesInput}
          type="file"
          accept=".json,application/json"
          hidden
          onChange={(e) => void onRulesFile(e)}
          data-testid={`sim-s${index}-rules-input`}
        />
      </Field>
    </fieldset>
  );
}

// ---------------------------------------------------------------- the list

const STATE_LABEL: Record<SimulationSummary['state'], { label: string; tone: 'blue' | 'green' | 'red' }> = {
  running: { label: 'Running', tone: 'blue' },
  done: { label: 'Done', tone: 'green' },
  failed: { label: 'Failed', tone: 'red' },
};

function SimulationList() {
  const list = useQuery(
    'simulations.list',
    { limit: 50 },
    { invalidateOn: { 'simulation.changed': true }, coalesceMs: 300 },
  );
  const remove = useMutation('simulations.remove');
  const [confirm, setConfirm] = useState<SimulationSummary | null>(null);
  const items = list.data?.items ?? [];

  return (
    <Card className="card-flush" title="Simulations" testId="simulations-card">
      <ErrorBanner error={list.error} title="The simulations could not be loaded" />
      <ErrorBanner error={remove.error} title="The simulation could not be removed" />
      {list.loading ? (
        <div className="loading">Loading simulations…</div>
      ) : items.length === 0 ? (
        <EmptyState
          title="No simulation yet"
          body="Start one above: it runs in the background and shows here with its progress."
          testId="simulations-empty"
        />
      ) : (
        <div className="rules-table-wrap">
          <table className="table-compact table-full sim-table" data-testid="simulations-table">
            <thead>
              <tr>
                <th scope="col">Simulation</th>
                <th scope="col">State</th>
                <th scope="col">Progress</th>
                <th scope="col" className="end">
                  Recipients
                </th>
                <th scope="col">Scenarios</th>
                <th scope="col" className="end">
                  Seed
                </th>
                <th scope="col" className="end">
                  Real time
                </th>
                <th scope="col" className="end">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => {
                const progress = progressOf(s);
                const state = STATE_LABEL[s.state];
                return (
                  <tr key={s.id} data-testid="simulation-row" data-simulation-id={s.id} data-state={s.state}>
                    <td className="sim-name-cell">
                      <a
                        href={paths.simulation(s.id)}
                        className="strong"
                        title={s.name}
                        data-testid="simulation-link"
                      >
                        {s.name}
                      </a>
                      <span className="muted rule-description">{formatDateTime(s.createdAt)}</span>
                    </td>
                    <td>
                      <Badge tone={state.tone} testId="simulation-state">
                        <span className="dot" aria-hidden="true" />
                        {state.label}
                      </Badge>
                    </td>
                    <td className="sim-progress-cell">
                      {s.state === 'running' ? (
                        <div className="sim-progress">
                          <ProgressBar
                            value={Math.round(progress.ratio * 1000)}
                            max={1000}
                            label={`Progress of ${s.name}`}
                          />
                          <span className="muted small">{progress.label}</span>
                        </div>
                      ) : s.state === 'failed' ? (
                        <span className="tone-text-red small" title={s.error ?? undefined}>
                          {s.error ?? 'Failed'}
                        </span>
                      ) : (
                        <span className="muted small">Every scenario run</span>
                      )}
                    </td>
                    <td className="end num">{formatCount(s.recipients)}</td>
                    <td>{s.scenarioNames.join(' · ')}</td>
                    <td className="end num">{s.seed}</td>
                    <td className="end num">{s.realMs === null ? '—' : formatSpan(s.realMs)}</td>
                    <td className="end">
                      <div className="rule-actions">
                        {s.state === 'done' && (
                          <Button
                            size="sm"
                            variant="ghost"
                            onClick={() => navigate(paths.simulation(s.id))}
                            aria-label={`Compare the scenarios of ${s.name}`}
                            testId="simulation-open"
                          >
                            Compare
                          </Button>
                        )}
                        <Button
                          size="sm"
                          variant="ghost"
                          onClick={() => setConfirm(s)}
                          disabled={s.state === 'running'}
                          aria-label={`Remove ${s.name}`}
                          title={s.state === 'running' ? 'A running simulation cannot be removed' : 'Remove'}
                          testId="simulation-remove"
                        >
                          ✕
                        </Button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {confirm && (
        <ConfirmDialog
          title={`Remove “${confirm.name}”?`}
          confirmLabel="Remove"
          danger
          busy={remove.pending}
          testId="simulation-remove-dialog"
          onCancel={() => setConfirm(null)}
          onConfirm={() =>
            void remove.mutate({ id: confirm.id }).then(() => {
              setConfirm(null);
              list.refetch();
            })
          }
        >
          <p>The simulation and its comparison are deleted. Deliveries and settings are not touched.</p>
        </ConfirmDialog>
      )}
    </Card>
  );
}
