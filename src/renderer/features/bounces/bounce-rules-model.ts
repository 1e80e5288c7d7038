/**
 * The bounce rules editor's model, free of React: rule <-> form conversions validated with the shared
 * `BounceRuleSchema`, the "create a rule from this reply" prefill (an escaped pattern built from a normalised
 * reply), list operations and display wording. The server's rule checker has the last word (compile errors,
 * shadowing); this model only catches what the schema (with its pattern check, `safe-pattern.ts`) can tell on the client.
 */
import { BounceRulesDocument } from '../../../shared/contract/bounce';
import type { ErrorDetail } from '../../../shared/contract/errors';
import { issueDetails } from '../../../shared/contract/issues';
import { patternSyntaxError } from '../../../shared/domain/safe-pattern';
import {
  BOUNCE_CLASS_MAPPING,
  BounceRuleSchema,
  BounceRulesSchema,
  type BounceRule,
  type BounceRuleCommand,
} from '../../../shared/domain/bounce-rules';
import {
  BOUNCE_CLASSES,
  FAILURE_TYPE_LABELS,
  REASONS,
  type BounceClass,
  type FailureType,
  type ReasonId,
} from '../../../shared/domain/reasons';
import { freshId, groupByField, type Converted } from '../rules/rules-model';

// ---------------------------------------------------------------- wording

export function bounceClassLabel(bounceClass: number): string {
  return bounceClass in BOUNCE_CLASSES
    ? `${bounceClass} ${BOUNCE_CLASSES[bounceClass as BounceClass]}`
    : String(bounceClass);
}

/** What a rule decides: its class, and the reason/type it gives (its overrides, else the class mapping's). */
export function describeOutcome(rule: BounceRule): string {
  const entry = BOUNCE_CLASS_MAPPING[rule.bounceClass];
  const reason = REASONS[rule.reason ?? entry.reason].label;
  const type = rule.type
    ? FAILURE_TYPE_LABELS[rule.type]
    : entry.permanent === entry.transient
      ? FAILURE_TYPE_LABELS[entry.permanent]
      : `${FAILURE_TYPE_LABELS[entry.permanent]} (5xx) / ${FAILURE_TYPE_LABELS[entry.transient]} (4xx)`;
  return `${reason} · ${type}`;
}

/** The rule's conditions other than its pattern, as short chips: `550`, `5.1.1`, `after RCPT`, `*.google.com`. */
export function describeConditions(rule: BounceRule): string[] {
  return [
    rule.code !== undefined ? `code ${rule.code}` : null,
    rule.enhanced !== undefined ? rule.enhanced : null,
    rule.command !== undefined ? `after ${rule.command}` : null,
    rule.mxScope !== undefined ? `MX ${rule.mxScope}` : null,
  ].filter((c): c is string => c !== null);
}

// ---------------------------------------------------------------- rule from a reply

/** Escapes every character that has a meaning in a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Matches the reply code and enhanced code that `normaliseReply` keeps in front of the text. */
const NORMALISED_HEAD_RE = /^(?:[245]\d\d(?:[ -]|$))?\s*(?:[245]\.\d{1,3}\.\d{1,3}(?:\s|$))?\s*/;

/** Longest pattern the schema accepts. */
const PATTERN_MAX = 2000;

/**
 * A pattern that matches a normalised reply and the replies that normalise to the same text. Rules run on the
 * normalised text without its codes (the codes are conditions of their own), so the head is dropped; the
 * placeholders (`{email}`, `{n}` ...) stay literal, since future replies are normalised the same way.
 */
export function patternFromNormalised(normalised: string): string {
  const text = normalised.replace(NORMALISED_HEAD_RE, '').trim();
  let pattern = escapeRegExp(text);
  if (pattern.length > PATTERN_MAX) {
    // Cut on a character boundary that does not split an escape sequence.
    pattern = pattern.slice(0, PATTERN_MAX);
    if (/(^|[^\\])(\\\\)*\\$/.test(pattern)) pattern = pattern.slice(0, -1);
  }
  return pattern;
}

/** What the qualification table knows about a reply, enough to prefill a rule. */
export interface ReplySource {
  normalised: string;
  firstRaw: string;
  code: number | null;
  enhanced: string | null;
  bounceClass: number;
  reason: ReasonId;
  type: FailureType;
  /** The rule that decided the reply (a rule id, or `status:…`, `code:…`, `manual` when none did). */
  ruleId?: string;
}

/** The class itself when it is one of SPEC §4.2, else Undetermined. */
const classOrUndetermined = (bounceClass: number): BounceClass =>
  bounceClass in BOUNCE_CLASSES ? (bounceClass as BounceClass) : 1;

/**
 * A new rule prefilled from a reply of the qualification table: its escaped pattern, its exact code and
 * enhanced code, the chosen class, and the reason/type as overrides only where they differ from what the class
 * gives. The first raw reply becomes the rule's example, so the checker proves the rule catches it.
 */
export function ruleFromReply(source: ReplySource, existing: readonly { id: string }[]): BounceRule {
  const bounceClass = classOrUndetermined(source.bounceClass);
  const entry = BOUNCE_CLASS_MAPPING[bounceClass];
  const permanent = source.code !== null ? source.code >= 500 : source.enhanced?.startsWith('5') === true;
  const classType = permanent ? entry.permanent : entry.transient;
  return BounceRuleSchema.parse({
    id: freshId(existing, 'custom'),
    description: 'Created from the delivery log qualification table',
    pattern: patternFromNormalised(source.normalised),
    ...(source.code !== null ? { code: String(source.code) } : {}),
    ...(source.enhanced !== null ? { enhanced: source.enhanced } : {}),
    bounceClass,
    ...(source.reason !== entry.reason ? { reason: source.reason } : {}),
    ...(source.type !== classType ? { type: source.type } : {}),
    examples: source.firstRaw.trim() ? [source.firstRaw.trim().slice(0, 2000)] : [],
  });
}

// ---------------------------------------------------------------- list operations

/** Whether a rule's pattern catches any text (empty, or a pattern that matches the empty string). */
function catchesAnyText(pattern: string): boolean {
  if (pattern === '') return true;
  try {
    return new RegExp(pattern, 'iu').test('');
  } catch {
    return false;
  }
}

/**
 * A generic fallback: a rule that says nothing about the words of a reply (a status-code or reply-code rule,
 * whose pattern catches any text) or a weak text read in replies only (provider "generic", replies only: a bare
 * "mailbox unavailable", "blocked", "temporarily …"). The shipped table ends with them.
 */
export function isGenericBounceRule(rule: BounceRule): boolean {
  return (
    catchesAnyText(rule.pattern) || (rule.provider?.toLowerCase() === 'generic' && rule.replyOnly === true)
  );
}

/**
 * Where "Add rule" puts a new rule: after every specific rule and before the generic fallbacks that end the
 * table, so it cannot hide a shipped provider or family rule, and wins over the fallbacks it refines. A table
 * without such an ending gets it last.
 */
export function newRuleIndex(rules: readonly BounceRule[]): number {
  let at = rules.length;
  while (at > 0 && isGenericBounceRule(rules[at - 1]!)) at--;
  return at;
}

/**
 * Where a rule created from a reply goes: right before the rule that decided that reply (so the new rule wins
 * over it and over nothing earlier), or, when a fallback or no rule decided, where "Add rule" puts one.
 */
export function ruleFromReplyIndex(rules: readonly BounceRule[], decidedBy: string | undefined): number {
  const tail = newRuleIndex(rules);
  const at = decidedBy === undefined ? -1 : rules.findIndex((r) => r.id === decidedBy);
  return at >= 0 && at < tail ? at : tail;
}

export function insertRuleAt(rules: readonly BounceRule[], rule: BounceRule, at: number): BounceRule[] {
  const i = Math.max(0, Math.min(at, rules.length));
  return [...rules.slice(0, i), rule, ...rules.slice(i)];
}

export function newBounceRule(rules: readonly { id: string }[]): BounceRule {
  return BounceRuleSchema.parse({
    id: freshId(rules, 'custom'),
    description: '',
    pattern: '',
    code: '5xx',
    bounceClass: 40,
    examples: [],
  });
}

/** The form of a new rule: no class yet (the analyst chooses it; Apply refuses until then). */
export function newBounceRuleForm(rules: readonly { id: string }[]): BounceRuleForm {
  return { ...bounceRuleToForm(newBounceRule(rules)), bounceClass: '' };
}

// ---------------------------------------------------------------- form

/** `''` in a select means "not set" (any command, the class's reason / type). */
export interface BounceRuleForm {
  id: string;
  description: string;
  provider: string;
  pattern: string;
  code: string;
  enhanced: string;
  command: '' | BounceRuleCommand;
  mxScope: string;
  /** `''` until the analyst chooses one (a new rule). */
  bounceClass: string;
  reason: '' | ReasonId;
  type: '' | FailureType;
  /** Used on replies only, never to read a reason out of a bounce's whole text. */
  replyOnly: boolean;
  /** One example reply per line. */
  examples: string;
}

export function bounceRuleToForm(rule: BounceRule): BounceRuleForm {
  return {
    id: rule.id,
    description: rule.description,
    provider: rule.provider ?? '',
    pattern: rule.pattern,
    code: rule.code ?? '',
    enhanced: rule.enhanced ?? '',
    command: rule.command ?? '',
    mxScope: rule.mxScope ?? '',
    bounceClass: String(rule.bounceClass),
    reason: rule.reason ?? '',
    type: rule.type ?? '',
    replyOnly: rule.replyOnly === true,
    examples: (rule.examples ?? []).join('\n'),
  };
}

const optional = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());

/** The form as a rule checked by the shared schema (problems keyed by field), plus a compile check. */
export function bounceRuleFromForm(form: BounceRuleForm): Converted<BounceRule> {
  const pattern = form.pattern.trim();
  const candidate = {
    id: form.id.trim(),
    description: form.description.trim(),
    provider: optional(form.provider),
    pattern,
    code: optional(form.code)?.toLowerCase(),
    enhanced: optional(form.enhanced),
    command: form.command === '' ? undefined : form.command,
    mxScope: optional(form.mxScope)?.toLowerCase(),
    bounceClass: Number(form.bounceClass),
    reason: form.reason === '' ? undefined : form.reason,
    type: form.type === '' ? undefined : form.type,
    replyOnly: form.replyOnly ? true : undefined,
    examples: form.examples
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  };
  const parsed = BounceRuleSchema.safeParse(candidate);
  const errors = parsed.success ? {} : groupByField(issueDetails(parsed.error));
  if (form.bounceClass === '') errors.bounceClass = ['Choose the bounce class this rule gives'];
  const syntax = pattern === '' ? null : patternSyntaxError(pattern);
  if (syntax !== null) (errors.pattern ??= []).push(syntax);
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}

// ---------------------------------------------------------------- the whole table

/** Problems of a rules document, by the rule they concern (`rules.3.pattern` -> 3), and the rest. */
export interface GroupedProblems {
  byRule: Map<number, ErrorDetail[]>;
  general: ErrorDetail[];
}

export function groupProblems(problems: readonly ErrorDetail[]): GroupedProblems {
  const byRule = new Map<number, ErrorDetail[]>();
  const general: ErrorDetail[] = [];
  for (const p of problems) {
    const m = /^rules\.(\d+)(?:\.|$)/.exec(p.field ?? '');
    if (m) {
      const index = Number(m[1]);
      byRule.set(index, [...(byRule.get(index) ?? []), p]);
    } else general.push(p);
  }
  return { byRule, general };
}

/**
 * The draft checked by the contract's schema and the shared rules schema (which also refuses duplicate ids),
 * or its problems with their document paths (`rules.3.pattern`).
 */
export function checkDocument(
  draft: BounceRulesDocument,
): { ok: true; doc: BounceRulesDocument } | { ok: false; problems: ErrorDetail[] } {
  const parsed = BounceRulesDocument.safeParse(draft);
  const rules = BounceRulesSchema.safeParse(draft.rules);
  const problems = new Map<string, ErrorDetail>();
  const add = (details: ErrorDetail[], prefix: string) => {
    for (const d of details) {
      const field = d.field !== undefined ? `${prefix}${d.field}` : prefix.slice(0, -1);
      const detail = field ? { ...d, field } : d;
      problems.set(`${field} ${d.message}`, detail);
    }
  };
  if (!parsed.success) add(issueDetails(parsed.error), '');
  if (!rules.success) add(issueDetails(rules.error), 'rules.');
  if (parsed.success && problems.size === 0) return { ok: true, doc: parsed.data };
  return { ok: false, problems: [...problems.values()] };
}

export function sameRules(a: BounceRulesDocument, b: BounceRulesDocument): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
