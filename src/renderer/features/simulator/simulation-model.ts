/**
 * The simulations pages' model, free of React: the "New simulation" form and its checks, and the comparison of
 * scenario results (rows of figures per scenario, the difference of two, union tables of reasons, domains,
 * profiles, quarantines and shaping events, the timeline's geometry). Figures come from each result's
 * `delivery` with the console's own definitions (the delivery page's KPI labels and formatting).
 */
import type { ErrorDetail } from '../../../shared/contract/errors';
import type { RulesDocument } from '../../../shared/contract/mta';
import type { ReportingMode } from '../../../shared/domain/statuses';
import type {
  ProfileOutcome,
  ScenarioResult,
  SimulationInput,
  SimulationSummary,
  TimelinePoint,
} from '../../../shared/contract/simulation';
import { mostSpecific } from '../../../shared/domain/domain-mask';
import { formatDuration, MAX_VALIDITY_MS, parseDuration } from '../../../shared/domain/duration';
import { REASONS, type ReasonId } from '../../../shared/domain/reasons';
import { SHAPING_KINDS } from '../destinations/destinations-model';

export const MAX_SCENARIOS = 4;

// ---------------------------------------------------------------- durations

const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
] as const;

/** A span of (simulated or real) time to its two largest units: `3d 12h`, `2h 5m`, `45s`, `350 ms`. */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const [unit, size] of UNITS) {
    if (parts.length === 2) break;
    if (rest >= size || parts.length > 0) {
      const n = Math.floor(rest / size);
      if (n > 0) parts.push(`${n}${unit}`);
      else if (parts.length > 0) break;
      rest -= n * size;
    }
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------- the new simulation form

export interface ScenarioForm {
  name: string;
  validity: string;
  reporting: ReportingMode;
  perTransaction: string;
  rules: { kind: 'stored' } | { kind: 'file'; fileName: string; doc: RulesDocument };
}

export const scenarioForm = (name: string): ScenarioForm => ({
  name,
  validity: formatDuration(MAX_VALIDITY_MS),
  reporting: 'efs',
  perTransaction: '1',
  rules: { kind: 'stored' },
});

export interface SimulationForm {
  name: string;
  recipients: { fileName: string; csv: string; source: 'sample' | 'file' } | null;
  templateId: string;
  seed: string;
  scenarios: ScenarioForm[];
}

export const SCENARIO_NAMES = ['A', 'B', 'C', 'D'];

/** The next scenario's default name: the first of A–D not taken. */
export function nextScenarioName(scenarios: readonly ScenarioForm[]): string {
  const taken = new Set(scenarios.map((s) => s.name.trim()));
  return SCENARIO_NAMES.find((n) => !taken.has(n)) ?? `Scenario ${scenarios.length + 1}`;
}

/** Problems of the form, keyed by the input's path (`scenarios.1.validityMs`). */
export type FormErrors = Record<string, string[]>;

export type Checked = { ok: true; input: SimulationInput } | { ok: false; errors: FormErrors };

export function checkSimulationForm(
  form: SimulationForm,
  templates: readonly {
    id: string;
    fromName: string;
    fromAddress: string;
    subject: string;
    text: string;
    html: string;
  }[],
): Checked {
  const errors: FormErrors = {};
  const add = (path: string, message: string) => (errors[path] ??= []).push(message);
  if (form.name.trim() === '') add('name', 'a simulation needs a name');
  if (!form.recipients) add('recipients', 'choose a sample list or a CSV file');
  const template = templates.find((t) => t.id === form.templateId);
  if (!template) add('template', 'choose a saved template');
  let seed: number | null = null;
  if (form.seed.trim() !== '') {
    const n = Number(form.seed.trim());
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) add('seed', 'a whole number from 0 to 2147483647');
    else seed = n;
  }
  const names = new Set<string>();
  const scenarios = form.scenarios.map((s, i) => {
    const name = s.name.trim();
    if (name === '') add(`scenarios.${i}.name`, 'required');
    else if (names.has(name)) add(`scenarios.${i}.name`, `another scenario is named “${name}”`);
    names.add(name);
    let validityMs = Number.NaN;
    try {
      validityMs = parseDuration(s.validity);
      if (validityMs < 60_000) add(`scenarios.${i}.validityMs`, 'at least 1m');
      else if (validityMs > MAX_VALIDITY_MS)
        add(`scenarios.${i}.validityMs`, `at most ${formatDuration(MAX_VALIDITY_MS)} (the MTA's cap)`);
    } catch {
      add(`scenarios.${i}.validityMs`, 'not a duration: use a number with a unit, e.g. 12h, 3.5d');
    }
    const per = Number(s.perTransaction.trim());
    if (!Number.isInteger(per) || per < 1 || per > 100)
      add(`scenarios.${i}.recipientsPerTransaction`, 'a whole number from 1 to 100');
    return {
      name,
      validityMs,
      reporting: s.reporting,
      recipientsPerTransaction: per,
      rules: s.rules.kind === 'file' ? s.rules.doc : null,
    };
  });
  if (Object.keys(errors).length > 0 || !template || !form.recipients) return { ok: false, errors };
  return {
    ok: true,
    input: {
      name: form.name.trim(),
      template: {
        fromName: template.fromName,
        fromAddress: template.fromAddress,
        subject: template.subject,
        text: template.text,
        html: template.html,
      },
      recipients: { fileName: form.recipients.fileName, csv: form.recipients.csv },
      scenarios,
      seed,
    },
  };
}

/** The server's problems by input path, in the form's words. */
export function errorsByPath(details: readonly ErrorDetail[]): FormErrors {
  const errors: FormErrors = {};
  for (const d of details) {
    const field = d.field ?? '';
    const key = /^scenarios\.\d+\.rules/.test(field)
      ? field.replace(/^(scenarios\.\d+\.rules).*$/, '$1')
      : /^recipients/.test(field)
        ? 'recipients'
        : /^template/.test(field)
          ? 'template'
          : field;
    (errors[key] ??= []).push(d.message);
  }
  return errors;
}

/** Data rows of a CSV (lines after the header that are not blank): the list's size shown in the form. */
export function countCsvRows(csv: string): number {
  const rows = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  return Math.max(0, rows.length - 1);
}

// ---------------------------------------------------------------- the list

/** "1d 4h of 3d 12h" while running: the scenario's simulated time over its validity. */
export function progressOf(s: SimulationSummary): { label: string; ratio: number } {
  const { simulatedMs, validityMs, scenario } = s.progress;
  const total = s.scenarioNames.length;
  if (s.state !== 'running') return { label: '', ratio: s.state === 'done' ? 1 : 0 };
  const name = s.scenarioNames[scenario] ?? String(scenario + 1);
  const within = validityMs > 0 ? Math.min(1, simulatedMs / validityMs) : 0;
  return {
    label: `Scenario ${name} (${scenario + 1} of ${total}): ${formatSpan(simulatedMs)} of ${formatSpan(validityMs)} simulated`,
    ratio: total > 0 ? (scenario + within) / total : 0,
  };
}

// ---------------------------------------------------------------- the comparison

export type Better = 'higher' | 'lower' | null;
export type Format = 'count' | 'rate' | 'span';

export interface FigureRow {
  id: string;
  label: string;
  hint?: string;
  format: Format;
  better: Better;
  /** One value per scenario (null: not applicable, shown as a dash). */
  values: (number | null)[];
}

const status = (r: ScenarioResult, s: string) => r.delivery.statusCounts[s as 'sent'] ?? 0;

/** The key figures with the delivery page's labels and definitions, per scenario. */
export function keyFigures(results: readonly ScenarioResult[]): FigureRow[] {
  const row = (
    id: string,
    label: string,
    format: Format,
    better: Better,
    value: (r: ScenarioResult) => number | null,
    hint?: string,
  ): FigureRow => ({ id, label, format, better, values: results.map(value), ...(hint ? { hint } : {}) });
  return [
    row('success-rate', 'Success', 'rate', 'higher', (r) => r.delivery.kpi.successRate, 'sent / to deliver'),
    row('to-deliver', 'To deliver', 'count', null, (r) => r.delivery.kpi.toDeliver),
    row('processed', 'Processed', 'count', null, (r) => r.delivery.kpi.processed, 'relayed to the MTA'),
    row('sent', 'Sent', 'count', 'higher', (r) => status(r, 'sent')),
    row('failed', 'Failed', 'count', 'lower', (r) => r.delivery.kpi.errors),
    row(
      'soft-in-progress',
      'Retrying after a soft bounce',
      'count',
      'lower',
      (r) => r.delivery.kpi.softInProgress,
      'still retried at the end',
    ),
    row('hard-bounces', 'Hard bounces', 'count', 'lower', (r) => r.delivery.kpi.hardBounces),
    row(
      'hard-rate',
      'Hard bounce rate',
      'rate',
      'lower',
      (r) => r.delivery.kpi.hardBounceRate,
      'of processed',
    ),
    row(
      'soft-bounces',
      'Soft bounces',
      'count',
      'lower',
      (r) => r.delivery.kpi.softBounces,
      'Failed with a soft type',
    ),
    row('excluded', 'Excluded', 'count', null, (r) => r.delivery.kpi.excluded, 'at preparation'),
  ];
}

/** Time and effort: time to final figures, simulated and real time, attempts, deferrals, expiries. */
export function effortFigures(results: readonly ScenarioResult[]): FigureRow[] {
  const row = (
    id: string,
    label: string,
    format: Format,
    better: Better,
    value: (r: ScenarioResult) => number | null,
    hint?: string,
  ): FigureRow => ({ id, label, format, better, values: results.map(value), ...(hint ? { hint } : {}) });
  return [
    row('final-after', 'Time to final figures', 'span', 'lower', (r) => r.finalAfterMs, 'simulated time'),
    row('simulated', 'Simulated time', 'span', null, (r) => r.simulatedMs),
    row('real', 'Real time', 'span', null, (r) => r.realMs, 'to compute the scenario'),
    row('attempts', 'SMTP attempts', 'count', 'lower', (r) => r.attempts),
    row(
      'deferred-attempts',
      'Deferred attempts',
      'count',
      'lower',
      (r) => r.deferredAttempts,
      '4xx or silence',
    ),
    row('expired', 'Expired', 'count', 'lower', (r) => r.expired, 'validity ran out while retried'),
  ];
}

/** Union rows of labelled counts (quarantines by reason, shaping events by kind), first-seen order. */
export function unionCounts<T>(
  results: readonly ScenarioResult[],
  items: (r: ScenarioResult) => readonly T[],
  key: (t: T) => string,
  label: (t: T) => string,
  count: (t: T) => number,
  better: Better,
): FigureRow[] {
  const rows = new Map<string, FigureRow>();
  results.forEach((r, i) => {
    for (const t of items(r)) {
      const k = key(t);
      let row = rows.get(k);
      if (!row) {
        row = { id: k, label: label(t), format: 'count', better, values: results.map(() => 0) };
        rows.set(k, row);
      }
      row.values[i] = (row.values[i] ?? 0) + count(t);
    }
  });
  return [...rows.values()].sort((a, b) => total(b) - total(a) || a.label.localeCompare(b.label));
}

const total = (row: FigureRow) => row.values.reduce<number>((s, v) => s + (v ?? 0), 0);

export const SHAPING_LABELS: Record<string, string> = {
  slowed: 'Rate slowed',
  raised: 'Rate raised',
  suspended: 'Destination suspended',
  resumed: 'Destination resumed',
  breaker_opened: 'Circuit breaker opened',
  automation: 'Automation rule applied',
  queue_bounced: 'Queue bounced',
  rules_changed: 'Rules changed',
};

export function shapingLabel(kind: string): string {
  return (
    SHAPING_LABELS[kind] ??
    (kind in SHAPING_KINDS
      ? SHAPING_KINDS[kind as keyof typeof SHAPING_KINDS].label
      : kind.replace(/_/g, ' '))
  );
}

export const quarantineRows = (results: readonly ScenarioResult[]) =>
  unionCounts(
    results,
    (r) => r.quarantines,
    (q) => q.reason,
    (q) => q.label,
    (q) => q.count,
    'lower',
  );

export const shapingRows = (results: readonly ScenarioResult[]) =>
  unionCounts(
    results,
    (r) => r.shaping,
    (s) => s.kind,
    (s) => shapingLabel(s.kind),
    (s) => s.count,
    'lower',
  );

/** Failure and exclusion reasons with each scenario's count. */
export const reasonRows = (results: readonly ScenarioResult[]) =>
  unionCounts(
    results,
    (r) => r.reasons,
    (x) => x.reason,
    (x) => REASONS[x.reason as ReasonId].label,
    (x) => x.total,
    'lower',
  );

export interface DomainRow {
  domain: string;
  cells: ({ processed: number; deliveredRate: number | null; hard: number; soft: number } | null)[];
}

/** Domains (union) with each scenario's figures, most processed first. */
export function domainRows(results: readonly ScenarioResult[]): DomainRow[] {
  const rows = new Map<string, DomainRow>();
  results.forEach((r, i) => {
    for (const d of r.domains) {
      let row = rows.get(d.domain);
      if (!row) {
        row = { domain: d.domain, cells: results.map(() => null) };
        rows.set(d.domain, row);
      }
      row.cells[i] = { processed: d.processed, deliveredRate: d.deliveredRate, hard: d.hard, soft: d.soft };
    }
  });
  const volume = (row: DomainRow) => Math.max(...row.cells.map((c) => c?.processed ?? 0));
  return [...rows.values()].sort((a, b) => volume(b) - volume(a) || a.domain.localeCompare(b.domain));
}

export const PROFILE_METRICS = [
  { key: 'messagesAccepted', label: 'Messages accepted', better: 'higher' },
  { key: 'connectionsAccepted', label: 'Sessions accepted', better: null },
  { key: 'connectionsRefused', label: 'Sessions refused (connection limit)', better: 'lower' },
  { key: 'mailDeferred', label: 'MAIL deferred (rate or message limit)', better: 'lower' },
  { key: 'rcptDeferred', label: 'RCPT deferred (rate limit)', better: 'lower' },
  { key: 'penaltyBoxed', label: 'Penalty box entries', better: 'lower' },
  { key: 'penaltyRefusals', label: 'Refusals while in the penalty box', better: 'lower' },
  { key: 'peakConnections', label: 'Peak concurrent connections', better: null },
  { key: 'asyncSent', label: 'Asynchronous mail sent back', better: null },
] as const satisfies readonly { key: keyof ProfileOutcome; label: string; better: Better }[];

export interface ProfileGroup {
  profile: string;
  name: string;
  rows: FigureRow[];
}

/** The receiver side per profile that saw traffic; metrics zero in every scenario are left out. */
export function profileGroups(results: readonly ScenarioResult[]): ProfileGroup[] {
  const order: { id: string; name: string }[] = [];
  const seen = new Set<string>();
  for (const r of results)
    for (const p of r.profiles)
      if (!seen.has(p.profile)) {
        seen.add(p.profile);
        order.push({ id: p.profile, name: p.name });
      }
  return order
    .map(({ id, name }) => {
      const outcomes = results.map((r) => r.profiles.find((p) => p.profile === id) ?? null);
      const rows: FigureRow[] = PROFILE_METRICS.map((m) => ({
        id: `${id}.${m.key}`,
        label: m.label,
        format: 'count' as const,
        better: m.better,
        values: outcomes.map((o) => (o ? o[m.key] : null)),
      })).filter((row) => row.values.some((v) => (v ?? 0) !== 0));
      return { profile: id, name, rows };
    })
    .filter((g) => g.rows.length > 0);
}

/** The profile answering for a domain: an exact name first, else the longest matching mask (`*.example.test`). */
export function profileForDomain<P extends { domains: readonly string[] }>(
  profiles: readonly P[],
  domain: string,
): P | null {
  const masks = profiles.flatMap((profile) => profile.domains.map((mask) => ({ mask, profile })));
  return mostSpecific(masks, domain)?.profile ?? null;
}

/** The profiles the simulation's recipients met (by their domains), in the profiles' order. */
export function profilesUsed<P extends { id: string; domains: readonly string[] }>(
  profiles: readonly P[],
  results: readonly ScenarioResult[],
): P[] {
  const used = new Set<string>();
  for (const r of results)
    for (const d of r.domains) {
      const p = profileForDomain(profiles, d.domain);
      if (p) used.add(p.id);
    }
  return profiles.filter((p) => used.has(p.id));
}

// ---------------------------------------------------------------- differences

export interface Difference {
  text: string;
  tone: 'better' | 'worse' | 'same' | 'none';
}

/** The second scenario minus the first: "+12", "−3.4 pts", "+2h 5m", with better/worse per the row. */
export function difference(row: FigureRow, formatCountFn: (n: number) => string): Difference {
  const [a, b] = row.values;
  if (a === null || a === undefined || b === null || b === undefined) return { text: '—', tone: 'none' };
  const delta = b - a;
  if (Math.abs(delta) < 1e-9) return { text: '=', tone: 'same' };
  const sign = delta > 0 ? '+' : '−';
  const abs = Math.abs(delta);
  const text =
    row.format === 'rate'
      ? `${sign}${(abs * 100).toFixed(1)} pts`
      : row.format === 'span'
        ? `${sign}${formatSpan(abs)}`
        : `${sign}${formatCountFn(abs)}`;
  const tone = row.better === null ? 'none' : delta > 0 === (row.better === 'higher') ? 'better' : 'worse';
  return { text, tone };
}

// ---------------------------------------------------------------- the timeline

export const TIMELINE_SERIES = [
  { key: 'delivered', label: 'Delivered', className: 'tl-delivered' },
  { key: 'failed', label: 'Failed', className: 'tl-failed' },
  { key: 'inProgress', label: 'In progress', className: 'tl-progress' },
] as const satisfies readonly { key: keyof TimelinePoint; label: string; className: string }[];

const TICK_STEPS = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  30 * 60_000,
  3_600_000,
  2 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  86_400_000,
];

/** Ticks of a simulated-time axis from 0 to `maxMs`: at most `n` + 1, at a round step. */
export function timeTicks(maxMs: number, n = 6): number[] {
  if (maxMs <= 0) return [0];
  const step = TICK_STEPS.find((s) => maxMs / s <= n) ?? Math.ceil(maxMs / n / 86_400_000) * 86_400_000;
  const ticks: number[] = [];
  for (let t = 0; t <= maxMs + 1e-6; t += step) ticks.push(t);
  return ticks;
}

/** Polyline points of one series over a box, x from 0 to `maxMs`, y from 0 to `yMax`. */
export function timelinePoints(
  points: readonly TimelinePoint[],
  key: (typeof TIMELINE_SERIES)[number]['key'],
  box: { width: number; height: number; left: number; right: number; top: number; bottom: number },
  maxMs: number,
  yMax: number,
): string {
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  return points
    .map((p) => {
      const x = box.left + (maxMs > 0 ? (p.atMs / maxMs) * w : 0);
      const y = box.top + h - (yMax > 0 ? (p[key] / yMax) * h : 0);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** A short label of a tick: `0`, `30m`, `6h`, `1d 12h`. */
export const tickLabel = (ms: number): string => (ms === 0 ? '0' : formatDuration(ms));
