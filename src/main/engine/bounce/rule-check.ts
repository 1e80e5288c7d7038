/**
 * The bounce rule checker (SPEC §4.2): refuses a rule table whose rules do not validate, do not compile, or
 * are shadowed by an earlier rule (first match wins, so a shadowed rule can never decide anything).
 *
 * Rule A (earlier) shadows rule B (later) when each condition of A is the same as or broader than B's (reply
 * code, enhanced code, command, MX scope) and A's pattern catches everything B's does: A has no pattern or a
 * pattern matching the empty string (a catch-all), the same pattern, or a pattern matching every example B
 * gives. Independently, every example of B must satisfy B's own conditions and must not be decided by an
 * earlier rule.
 */
import { BounceRulesSchema, type BounceRule } from '../../../shared/domain/bounce-rules';
import { maskMatches } from '../../../shared/domain/domain-mask';
import { parseSmtpReply } from '../../../shared/domain/smtp-reply';
import { compileRule, prepareReply, ruleMatches, type CompiledRule, type PreparedReply } from './classifier';

export type RuleProblemKind = 'invalid' | 'compile' | 'shadowed' | 'example_mismatch' | 'example_caught';

export interface RuleProblem {
  kind: RuleProblemKind;
  /** Position of the rule in the table (0-based), or null for a problem with the table itself. */
  index: number | null;
  ruleId: string | null;
  /** The field concerned (`pattern`, `examples.0`, ...). */
  field: string | null;
  message: string;
}

export type RuleCheckResult =
  { ok: true; rules: BounceRule[]; problems: [] } | { ok: false; rules: null; problems: RuleProblem[] };

export function checkRules(input: unknown): RuleCheckResult {
  const parsed = BounceRulesSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue): RuleProblem => {
      const [index, ...field] = issue.path;
      const i = typeof index === 'number' ? index : null;
      const id = i !== null && Array.isArray(input) ? ruleIdOf(input[i]) : null;
      return {
        kind: 'invalid',
        index: i,
        ruleId: id,
        field: field.length ? field.join('.') : null,
        message: `${describe(i, id)}: ${field.length ? `${field.join('.')}: ` : ''}${issue.message}`,
      };
    });
    return { ok: false, rules: null, problems };
  }
  const rules = parsed.data;
  const problems: RuleProblem[] = [];
  const compiled: (CompiledRule | null)[] = rules.map((rule, index) => {
    try {
      return compileRule(rule);
    } catch (err) {
      problems.push({
        kind: 'compile',
        index,
        ruleId: rule.id,
        field: 'pattern',
        message: `${describe(index, rule.id)}: ${err instanceof Error ? err.message.replace(/^bounce rule "[^"]*": /, '') : String(err)}`,
      });
      return null;
    }
  });

  compiled.forEach((later, j) => {
    if (!later) return;
    const examples = (later.rule.examples ?? []).map((text) => exampleReply(text, later.rule));
    examples.forEach((reply, e) => {
      if (!ruleMatches(later, reply)) {
        problems.push({
          kind: 'example_mismatch',
          index: j,
          ruleId: later.rule.id,
          field: `examples.${e}`,
          message: `${describe(j, later.rule.id)}: example ${e + 1} does not match the rule's own conditions`,
        });
      }
    });
    for (let i = 0; i < j; i++) {
      const earlier = compiled[i];
      if (!earlier) continue;
      if (shadows(earlier, later, examples)) {
        problems.push({
          kind: 'shadowed',
          index: j,
          ruleId: later.rule.id,
          field: null,
          message: `${describe(j, later.rule.id)}: shadowed by earlier rule "${earlier.rule.id}" (#${i + 1}), which catches every reply it would`,
        });
        break;
      }
      const caught = examples.findIndex((reply) => ruleMatches(earlier, reply));
      if (caught >= 0) {
        problems.push({
          kind: 'example_caught',
          index: j,
          ruleId: later.rule.id,
          field: `examples.${caught}`,
          message: `${describe(j, later.rule.id)}: example ${caught + 1} is decided by earlier rule "${earlier.rule.id}" (#${i + 1})`,
        });
        break;
      }
    }
  });
  return problems.length ? { ok: false, rules: null, problems } : { ok: true, rules, problems: [] };
}

/** An example reply as the rule would see it: its codes split off, its command and a host in its scope. */
function exampleReply(text: string, rule: BounceRule): PreparedReply {
  const p = parseSmtpReply(text);
  const scope = rule.mxScope;
  const mxHost = scope === undefined ? null : scope === '*' ? 'mx.example' : scope.replace(/^\*\./, 'mx.');
  return prepareReply({
    code: p.code,
    enhanced: p.enhanced,
    text: p.text,
    command: rule.command ?? null,
    mxHost,
  });
}

function shadows(a: CompiledRule, b: CompiledRule, bExamples: PreparedReply[]): boolean {
  const ra = a.rule;
  const rb = b.rule;
  if (!codeCovers(ra.code, rb.code)) return false;
  if (!enhancedCovers(ra.enhanced, rb.enhanced)) return false;
  if (ra.command !== undefined && ra.command !== rb.command) return false;
  if (!scopeCovers(ra.mxScope, rb.mxScope)) return false;
  if (a.regex === null || a.regex.test('')) return true;
  if (b.regex !== null && a.regex.source.toLowerCase() === b.regex.source.toLowerCase()) return true;
  return bExamples.length > 0 && bExamples.every((reply) => a.regex?.test(reply.normalised) ?? true);
}

function codeCovers(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || a === b) return true;
  if (b === undefined) return false;
  if (a === 'any') return b !== 'none';
  if (a.endsWith('xx')) return b[0] === a[0] && b !== 'any' && b !== 'none';
  return false;
}

function enhancedCovers(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined) return true;
  if (b === undefined) return false;
  const pa = a.toLowerCase().split('.');
  const pb = b.toLowerCase().split('.');
  return pa.every((part, i) => {
    const other = pb[i] ?? '';
    if (part === '*' || part === other) return true;
    return i === 0 && part === 'x' && (other === '4' || other === '5');
  });
}

function scopeCovers(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || a === '*') return true;
  if (b === undefined) return false;
  if (a.toLowerCase() === b.toLowerCase()) return true;
  return a.startsWith('*.') && maskMatches(a, b.replace(/^\*\./, 'x.'));
}

function ruleIdOf(value: unknown): string | null {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
    ? (value as { id: string }).id
    : null;
}

function describe(index: number | null, id: string | null): string {
  if (index === null) return 'rules';
  return `rule #${index + 1}${id ? ` "${id}"` : ''}`;
}
