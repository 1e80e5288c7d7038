/**
 * The MX rules editor's model, free of React: rule <-> form conversions validated with the shared schemas,
 * list operations that keep the generic `*` rule last, problems grouped by rule, and display wording.
 */
import type { z } from 'zod';
import type { ErrorDetail } from '../../../shared/contract/errors';
import { issueDetails } from '../../../shared/contract/issues';
import { fieldLabel, plainParse } from '../../../shared/contract/plain-errors';
import {
  AdaptiveSettings,
  AutomationAction,
  AutomationRule,
  AutomationTrigger,
  MxRule,
  RulesDocument,
  type TLS_POLICIES,
} from '../../../shared/contract/mta';
import { formatDuration, parseDuration } from '../../../shared/domain/duration';
import { checkPattern } from '../../../shared/domain/safe-pattern';

export type TlsPolicyId = (typeof TLS_POLICIES)[number];
export type Trigger = z.output<typeof AutomationTrigger>;
export type Action = z.output<typeof AutomationAction>;

/** Client-side problems of a form, keyed by the schema path of the field (`timeouts.connectMs`). */
export type FieldErrors = Record<string, string[]>;
export type Converted<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export const TLS_LABELS: Record<TlsPolicyId, string> = {
  opportunistic: 'Opportunistic',
  required: 'Required',
  disabled: 'Disabled',
};

// ---------------------------------------------------------------- wording

export const isGenericRule = (rule: MxRule): boolean => rule.match.mask === '*';

export function formatPerHour(perHour: number | null): string {
  return perHour === null ? 'unlimited' : `${new Intl.NumberFormat().format(perHour)}/h`;
}

export function formatTimeouts(t: MxRule['timeouts']): string {
  return [t.connectMs, t.commandMs, t.dataMs].map(formatDuration).join(' / ');
}

export function describeTrigger(trigger: Trigger): string {
  switch (trigger.kind) {
    case 'immediate':
      return 'immediately';
    case 'count':
      return `${trigger.count} within ${formatDuration(trigger.windowMs)}`;
  }
}

export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'suspend':
      return `suspend for ${formatDuration(action.durationMs)}`;
    case 'throttle': {
      const connections =
        action.maxConnections !== null
          ? `, ${action.maxConnections} connection${action.maxConnections === 1 ? '' : 's'}`
          : '';
      return `throttle to ${formatPercent(action.rateFactor)}${connections} for ${formatDuration(action.durationMs)}`;
    }
    case 'bounce_queue':
      return 'bounce the queue';
  }
}

const formatPercent = (ratio: number): string => `${Number((ratio * 100).toFixed(2))}%`;

// ---------------------------------------------------------------- list operations

/** Moves rule `index` by `delta` (-1 up, +1 down); the generic rule stays last and cannot move. */
export function moveMxRule(rules: readonly MxRule[], index: number, delta: -1 | 1): MxRule[] {
  const target = index + delta;
  const rule = rules[index];
  const other = rules[target];
  if (!rule || !other || isGenericRule(rule) || isGenericRule(other)) return [...rules];
  const next = [...rules];
  next[index] = other;
  next[target] = rule;
  return next;
}

export function canMoveMxRule(rules: readonly MxRule[], index: number, delta: -1 | 1): boolean {
  const rule = rules[index];
  const other = rules[index + delta];
  return Boolean(rule && other && !isGenericRule(rule) && !isGenericRule(other));
}

export function moveItem<T>(items: readonly T[], index: number, delta: -1 | 1): T[] {
  const target = index + delta;
  if (index < 0 || index >= items.length || target < 0 || target >= items.length) return [...items];
  const next = [...items];
  [next[index], next[target]] = [next[target] as T, next[index] as T];
  return next;
}

/** Removes rule `index` unless it is the generic rule (which every document needs, last). */
export function removeMxRule(rules: readonly MxRule[], index: number): MxRule[] {
  const rule = rules[index];
  if (!rule || isGenericRule(rule)) return [...rules];
  return rules.filter((_, i) => i !== index);
}

/** Inserts a rule before the generic one (or appends when there is none). */
export function insertMxRule(rules: readonly MxRule[], rule: MxRule): MxRule[] {
  const genericAt = rules.findIndex(isGenericRule);
  if (genericAt === -1) return [...rules, rule];
  return [...rules.slice(0, genericAt), rule, ...rules.slice(genericAt)];
}

/** `rule-1`, `rule-2`, ... : the first id not taken. */
export function freshId(taken: readonly { id: string }[], prefix: string): string {
  const ids = new Set(taken.map((r) => r.id));
  for (let n = 1; n <= taken.length + 1; n++) {
    if (!ids.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
  }
  return `${prefix}-${taken.length + 2}`;
}

/** A new MX rule for the editor: the generic rule's limits on an empty mask. */
export function newMxRule(rules: readonly MxRule[]): MxRule {
  const template = rules.find(isGenericRule) ?? rules.at(-1);
  return MxRule.parse({
    id: freshId(rules, 'rule'),
    description: '',
    match: { kind: 'mx', mask: '*.example.com' },
    maxConnections: template?.maxConnections ?? 5,
    maxMessagesPerConnection: template?.maxMessagesPerConnection ?? 100,
    messagesPerHour: template?.messagesPerHour ?? null,
    timeouts: template?.timeouts ?? { connectMs: 30_000, commandMs: 300_000, dataMs: 600_000 },
    tls: template?.tls ?? 'opportunistic',
    enabled: true,
  });
}

export function newAutomationRule(rules: readonly AutomationRule[]): AutomationRule {
  return AutomationRule.parse({
    id: freshId(rules, 'auto'),
    scope: '*',
    pattern: '421 4\\.7\\.0',
    trigger: { kind: 'immediate' },
    action: { kind: 'suspend', durationMs: 30 * 60_000 },
  });
}

// ---------------------------------------------------------------- forms

export interface MxRuleForm {
  id: string;
  description: string;
  matchKind: 'mx' | 'domain';
  mask: string;
  maxConnections: string;
  maxMessagesPerConnection: string;
  /** Empty = unlimited. */
  messagesPerHour: string;
  connectTimeout: string;
  commandTimeout: string;
  dataTimeout: string;
  tls: TlsPolicyId;
  enabled: boolean;
}

export function mxRuleToForm(rule: MxRule): MxRuleForm {
  return {
    id: rule.id,
    description: rule.description,
    matchKind: rule.match.kind,
    mask: rule.match.mask,
    maxConnections: String(rule.maxConnections),
    maxMessagesPerConnection: String(rule.maxMessagesPerConnection),
    messagesPerHour: rule.messagesPerHour === null ? '' : String(rule.messagesPerHour),
    connectTimeout: formatDuration(rule.timeouts.connectMs),
    commandTimeout: formatDuration(rule.timeouts.commandMs),
    dataTimeout: formatDuration(rule.timeouts.dataMs),
    tls: rule.tls,
    enabled: rule.enabled,
  };
}

/**
 * Text fields to numbers (problems keyed by schema path), then the shared schema has the last word. Every
 * message names the field ("Max connections must be a number"); the schema's are worded by the shared error
 * customisation (`plain-errors.ts`), with the percentages the form shows instead of the ratios it stores.
 */
class FormReader {
  readonly errors: FieldErrors = {};
  private readonly percents = new Set<string>();

  add(path: string, message: string): void {
    (this.errors[path] ??= []).push(message);
  }

  number(text: string, path: string): number {
    const trimmed = text.trim().replace(/[\s_,]/g, '');
    const n = trimmed === '' ? Number.NaN : Number(trimmed);
    if (!Number.isFinite(n))
      this.add(path, `${labelOf(path)} ${trimmed === '' ? 'is required' : 'must be a number'}`);
    return n;
  }

  optionalNumber(text: string, path: string): number | null {
    return text.trim() === '' ? null : this.number(text, path);
  }

  percent(text: string, path: string): number {
    this.percents.add(path);
    return this.number(text.replace(/%\s*$/, ''), path) / 100;
  }

  duration(text: string, path: string): number {
    if (text.trim() === '') {
      this.add(path, `${labelOf(path)} is required (a duration such as 30s, 5m or 1h)`);
      return Number.NaN;
    }
    try {
      return parseDuration(text);
    } catch {
      this.add(path, `${labelOf(path)} must be a duration such as 90s, 2m or 3.5d (it is "${text.trim()}")`);
      return Number.NaN;
    }
  }

  /** Reading problems first (they explain NaNs better than the schema would), else the schema's. */
  finish<T>(schema: z.ZodType<T>, candidate: unknown): Converted<T> {
    if (Object.keys(this.errors).length > 0) return { ok: false, errors: this.errors };
    const parsed = schema.safeParse(
      candidate,
      plainParse({
        value: (path, n) =>
          this.percents.has(path.join('.')) ? `${Number((n * 100).toFixed(2))} %` : undefined,
      }),
    );
    if (parsed.success) return { ok: true, value: parsed.data };
    return { ok: false, errors: groupByField(issueDetails(parsed.error)) };
  }
}

const labelOf = (path: string): string => fieldLabel(path.split('.'));

export function groupByField(details: readonly ErrorDetail[], prefix = ''): FieldErrors {
  const errors: FieldErrors = {};
  for (const d of details) {
    const field = d.field ?? '';
    if (prefix && field !== prefix.slice(0, -1) && !field.startsWith(prefix)) continue;
    (errors[field.slice(prefix.length)] ??= []).push(d.message);
  }
  return errors;
}

export function mxRuleFromForm(form: MxRuleForm): Converted<MxRule> {
  const r = new FormReader();
  const candidate = {
    id: form.id.trim(),
    description: form.description.trim(),
    match: { kind: form.matchKind, mask: form.mask.trim().toLowerCase() },
    maxConnections: r.number(form.maxConnections, 'maxConnections'),
    maxMessagesPerConnection: r.number(form.maxMessagesPerConnection, 'maxMessagesPerConnection'),
    messagesPerHour: r.optionalNumber(form.messagesPerHour, 'messagesPerHour'),
    timeouts: {
      connectMs: r.duration(form.connectTimeout, 'timeouts.connectMs'),
      commandMs: r.duration(form.commandTimeout, 'timeouts.commandMs'),
      dataMs: r.duration(form.dataTimeout, 'timeouts.dataMs'),
    },
    tls: form.tls,
    enabled: form.enabled,
  };
  return r.finish(MxRule, candidate);
}

export interface AutomationRuleForm {
  id: string;
  description: string;
  scope: string;
  pattern: string;
  triggerKind: Trigger['kind'];
  count: string;
  window: string;
  actionKind: Action['kind'];
  duration: string;
  /** Throttle: the new rate as a percentage of the current one. */
  ratePercent: string;
  /** Throttle: optional connection cap (empty = unchanged). */
  maxConnections: string;
  enabled: boolean;
}

export function automationRuleToForm(rule: AutomationRule): AutomationRuleForm {
  const { trigger, action } = rule;
  return {
    id: rule.id,
    description: rule.description,
    scope: rule.scope,
    pattern: rule.pattern,
    triggerKind: trigger.kind,
    count: trigger.kind === 'count' ? String(trigger.count) : '3',
    window: trigger.kind === 'count' ? formatDuration(trigger.windowMs) : '10m',
    actionKind: action.kind,
    duration: action.kind === 'bounce_queue' ? '30m' : formatDuration(action.durationMs),
    ratePercent: action.kind === 'throttle' ? String(Number((action.rateFactor * 100).toFixed(2))) : '50',
    maxConnections:
      action.kind === 'throttle' && action.maxConnections !== null ? String(action.maxConnections) : '',
    enabled: rule.enabled,
  };
}

export function automationRuleFromForm(form: AutomationRuleForm): Converted<AutomationRule> {
  const r = new FormReader();
  const trigger =
    form.triggerKind === 'immediate'
      ? { kind: 'immediate' as const }
      : {
          kind: 'count' as const,
          count: r.number(form.count, 'trigger.count'),
          windowMs: r.duration(form.window, 'trigger.windowMs'),
        };
  let action: unknown;
  switch (form.actionKind) {
    case 'suspend':
      action = { kind: 'suspend', durationMs: r.duration(form.duration, 'action.durationMs') };
      break;
    case 'throttle':
      action = {
        kind: 'throttle',
        rateFactor: r.percent(form.ratePercent, 'action.rateFactor'),
        maxConnections: r.optionalNumber(form.maxConnections, 'action.maxConnections'),
        durationMs: r.duration(form.duration, 'action.durationMs'),
      };
      break;
    case 'bounce_queue':
      action = { kind: 'bounce_queue' };
      break;
  }
  const pattern = form.pattern.trim();
  // The rules document's check, on the client (`safe-pattern.ts`: compiles, no catastrophic backtracking).
  const problem = pattern === '' ? null : checkPattern(pattern);
  if (problem !== null) r.add('pattern', problem);
  return r.finish(AutomationRule, {
    id: form.id.trim(),
    description: form.description.trim(),
    scope: form.scope.trim().toLowerCase() || '*',
    pattern,
    trigger,
    action,
    enabled: form.enabled,
  });
}

export interface AdaptiveForm {
  decreasePercent: string;
  suspendAfterSignals: string;
  signalWindow: string;
  suspend: string;
  increasePercent: string;
  increasePeriod: string;
  breakerPercent: string;
  breakerMinAttempts: string;
  breakerBlock: string;
}

const percentText = (ratio: number) => String(Number((ratio * 100).toFixed(2)));

export function adaptiveToForm(a: AdaptiveSettings): AdaptiveForm {
  return {
    decreasePercent: percentText(a.decreaseFactor),
    suspendAfterSignals: String(a.suspendAfterSignals),
    signalWindow: formatDuration(a.signalWindowMs),
    suspend: formatDuration(a.suspendMs),
    increasePercent: percentText(a.increaseShare),
    increasePeriod: formatDuration(a.increasePeriodMs),
    breakerPercent: percentText(a.breakerRatio),
    breakerMinAttempts: String(a.breakerMinAttempts),
    breakerBlock: formatDuration(a.breakerBlockMs),
  };
}

export function adaptiveFromForm(form: AdaptiveForm): Converted<AdaptiveSettings> {
  const r = new FormReader();
  return r.finish(AdaptiveSettings, {
    decreaseFactor: r.percent(form.decreasePercent, 'decreaseFactor'),
    suspendAfterSignals: r.number(form.suspendAfterSignals, 'suspendAfterSignals'),
    signalWindowMs: r.duration(form.signalWindow, 'signalWindowMs'),
    suspendMs: r.duration(form.suspend, 'suspendMs'),
    increaseShare: r.percent(form.increasePercent, 'increaseShare'),
    increasePeriodMs: r.duration(form.increasePeriod, 'increasePeriodMs'),
    breakerRatio: r.percent(form.breakerPercent, 'breakerRatio'),
    breakerMinAttempts: r.number(form.breakerMinAttempts, 'breakerMinAttempts'),
    breakerBlockMs: r.duration(form.breakerBlock, 'breakerBlockMs'),
  });
}

// ---------------------------------------------------------------- the whole document

export interface RulesDraft {
  mxRules: MxRule[];
  automationRules: AutomationRule[];
  adaptive: AdaptiveForm;
}

export function draftOf(doc: RulesDocument): RulesDraft {
  return {
    mxRules: doc.mxRules,
    automationRules: doc.automationRules,
    adaptive: adaptiveToForm(doc.adaptive),
  };
}

export function sameDraft(a: RulesDraft, b: RulesDraft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The draft as a rules document checked by the shared schema, or every problem with its document path
 * (`mxRules.3.match.mask`, `adaptive.suspendMs`) — the same paths the server reports.
 */
export function buildDocument(
  draft: RulesDraft,
): { ok: true; doc: RulesDocument } | { ok: false; problems: ErrorDetail[] } {
  const adaptive = adaptiveFromForm(draft.adaptive);
  if (!adaptive.ok) {
    return {
      ok: false,
      problems: Object.entries(adaptive.errors).flatMap(([field, messages]) =>
        messages.map((message) => ({ field: field ? `adaptive.${field}` : 'adaptive', message })),
      ),
    };
  }
  const parsed = RulesDocument.safeParse({
    format: 'relaydeck-rules',
    version: 1,
    mxRules: draft.mxRules,
    automationRules: draft.automationRules,
    adaptive: adaptive.value,
  });
  return parsed.success
    ? { ok: true, doc: parsed.data }
    : { ok: false, problems: issueDetails(parsed.error) };
}

/** Which table row a problem belongs to: `mxRules.3.match.mask` -> {list: 'mxRules', index: 3}. */
export function problemRow(
  problem: ErrorDetail,
): { list: 'mxRules' | 'automationRules'; index: number; field: string } | null {
  const m = /^(mxRules|automationRules)\.(\d+)(?:\.(.*))?$/.exec(problem.field ?? '');
  if (!m) return null;
  return { list: m[1] as 'mxRules' | 'automationRules', index: Number(m[2]), field: m[3] ?? '' };
}

/** Indexes of the rows of one list that have problems. */
export function rowsWithProblems(
  problems: readonly ErrorDetail[],
  list: 'mxRules' | 'automationRules',
): Set<number> {
  const rows = new Set<number>();
  for (const p of problems) {
    const row = problemRow(p);
    if (row?.list === list) rows.add(row.index);
  }
  return rows;
}

/** `relaydeck-rules-2025-01-31.json` in the analyst's local date. */
export function exportFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `relaydeck-rules-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}
