/**
 * Rule patterns are safe by construction (`src/shared/domain/safe-pattern.ts`): the classic ReDoS patterns are
 * refused by the shared schemas (so by the API and `relaydeck rules import`) and by the console's rule forms,
 * on the rule's field with a message saying why; safe complex patterns pass; every shipped pattern passes; and a pattern the
 * analyser cannot see through still runs in linear time on a long hostile text. The timing assertions are
 * results, not durations: the old code (`new RegExp`) would not return from these calls for minutes.
 */
import { describe, expect, it } from 'vitest';
import { AutomationRule, RulesDocument } from '../../src/shared/contract/mta';
import { BounceRuleSchema } from '../../src/shared/domain/bounce-rules';
import { MAX_SUBJECT_LENGTH, checkPattern, compilePattern } from '../../src/shared/domain/safe-pattern';
import { DEFAULT_BOUNCE_RULES } from '../../src/main/defaults/bounce-rules';
import { DEFAULT_AUTOMATION_RULES, DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import {
  bounceRuleFromForm,
  bounceRuleToForm,
  newBounceRule,
} from '../../src/renderer/features/bounces/bounce-rules-model';
import {
  automationRuleFromForm,
  automationRuleToForm,
  newAutomationRule,
} from '../../src/renderer/features/rules/rules-model';
import { createClassifier, foldForMatch } from '../../src/main/engine/bounce/classifier';
import { checkRules } from '../../src/main/engine/bounce/rule-check';
import { compileAutomationRules, matchAutomation } from '../../src/main/engine/shaper/rule-match';

/** The classic catastrophic patterns, and nested quantifiers on overlapping classes. */
export const REDOS_PATTERNS = [
  '(a+)+$',
  '(a|a)*$',
  '(a|aa)+$',
  '(.*a){20}',
  '(\\w+\\d+)+$',
  '(\\d|\\w)+$',
  '^(\\w+\\s?)*$',
  '([a-z]+)*@',
  '(x+x+)+y',
  '\\d+\\w+$',
];

const SAFE_PATTERNS = [
  String.raw`^5\.1\.1 (?:user|mailbox|recipient) (?:unknown|not found|does not exist)\b`,
  String.raw`\[TS0[1-4]\]|4\.7\.28|\(S3150\)`,
  String.raw`(?:quota|mailbox) (?:exceeded|full)(?! for today)`,
  String.raw`user[-_. ]?unknown|no such (?:user|mailbox)`,
];

const withAutomationPattern = (pattern: string) => {
  const doc = structuredClone(DEFAULT_RULES) as RulesDocument;
  doc.automationRules[0]!.pattern = pattern;
  return doc;
};

const automation = (pattern: string) => ({
  id: 'a',
  scope: '*',
  pattern,
  trigger: { kind: 'immediate' },
  action: { kind: 'bounce_queue' },
  enabled: true,
});

describe('the pattern check', () => {
  it.each(REDOS_PATTERNS)('refuses %s, saying why', (pattern) => {
    expect(checkPattern(pattern)).toMatch(/may take (exponential|polynomial) time on hostile text/);
    expect(compilePattern(pattern).ok).toBe(false);
  });

  it.each(REDOS_PATTERNS)(
    'the bounce rule and rules document schemas refuse %s on the pattern field',
    (pattern) => {
      const bounce = BounceRuleSchema.safeParse({ id: 'r', pattern, bounceClass: 10 });
      expect(bounce.success).toBe(false);
      expect(bounce.error?.issues.map((i) => i.path.join('.'))).toEqual(['pattern']);
      const auto = RulesDocument.safeParse(withAutomationPattern(pattern));
      expect(auto.success).toBe(false);
      expect(auto.error?.issues.map((i) => i.path.join('.'))).toEqual(['automationRules.0.pattern']);
      expect(auto.error?.issues[0]?.message).toMatch(/catastrophic backtracking/);
    },
  );

  it.each(REDOS_PATTERNS)('the console rule forms refuse %s on the pattern field', (pattern) => {
    const bounce = bounceRuleFromForm({ ...bounceRuleToForm(newBounceRule([])), pattern });
    expect(bounce.ok ? null : bounce.errors.pattern).toEqual([
      expect.stringMatching(/catastrophic backtracking/),
    ]);
    const auto = automationRuleFromForm({ ...automationRuleToForm(newAutomationRule([])), pattern });
    expect(auto.ok ? null : auto.errors.pattern).toEqual([
      expect.stringMatching(/catastrophic backtracking/),
    ]);
  });

  it('the bounce rule checker names the rule and the field', () => {
    const result = checkRules([{ id: 'hostile', pattern: '(a|aa)+$', bounceClass: 10 }]);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({
      kind: 'invalid',
      index: 0,
      ruleId: 'hostile',
      field: 'pattern',
    });
    expect(result.problems[0]?.message).toMatch(
      /rule #1 "hostile": pattern: may take .* time on hostile text/,
    );
  });

  it.each(SAFE_PATTERNS)('accepts the safe pattern %s', (pattern) => {
    expect(checkPattern(pattern)).toBeNull();
    expect(BounceRuleSchema.safeParse({ id: 'r', pattern, bounceClass: 10 }).success).toBe(true);
    expect(RulesDocument.safeParse(withAutomationPattern(pattern)).success).toBe(true);
    expect(automationRuleFromForm({ ...automationRuleToForm(newAutomationRule([])), pattern }).ok).toBe(true);
  });

  it('matches like a case-insensitive regular expression, on either engine', () => {
    const linear = compilePattern(SAFE_PATTERNS[0]!);
    const lookahead = compilePattern(SAFE_PATTERNS[2]!);
    expect(linear.ok && lookahead.ok).toBe(true);
    if (!linear.ok || !lookahead.ok) return;
    expect(linear.pattern.engine).toBe('linear');
    expect(linear.pattern.exec('5.1.1 User Unknown here')).toBe('5.1.1 User Unknown');
    expect(linear.pattern.test('5.1.1 user known')).toBe(false);
    expect(lookahead.pattern.engine).toBe('checked');
    expect(lookahead.pattern.test('Mailbox FULL')).toBe(true);
    expect(lookahead.pattern.test('quota exceeded for today')).toBe(false);
  });
});

describe('the shipped rules', () => {
  it('every shipped bounce rule pattern passes the check and compiles, as written and folded', () => {
    const refused = DEFAULT_BOUNCE_RULES.filter((r) => r.pattern !== '')
      .flatMap((r) =>
        [r.pattern, foldForMatch(r.pattern)].map((p) => ({ id: r.id, problem: checkPattern(p) })),
      )
      .filter((r) => r.problem !== null);
    expect(refused).toEqual([]);
    expect(() => createClassifier(DEFAULT_BOUNCE_RULES)).not.toThrow();
  });

  it('every shipped automation rule pattern passes the check and compiles', () => {
    const refused = DEFAULT_AUTOMATION_RULES.map((r) => ({
      id: r.id,
      problem: checkPattern(r.pattern),
    })).filter((r) => r.problem !== null);
    expect(refused).toEqual([]);
    expect(compileAutomationRules(DEFAULT_AUTOMATION_RULES)).toHaveLength(
      DEFAULT_AUTOMATION_RULES.filter((r) => r.enabled).length,
    );
  });
});

describe('hostile texts', () => {
  // An ambiguity the analyser does not report (multi-character overlap): exponential for a backtracking
  // engine (about a minute on 28 repetitions), linear on RE2's engine.
  const sneaky = '^(a|b|ab)*c$';
  const hostile = 'ab'.repeat(10_000) + 'x';

  it('a pattern the analyser lets through still runs in linear time', () => {
    expect(checkPattern(sneaky)).toBeNull();
    const compiled = compilePattern(sneaky);
    expect(compiled.ok && compiled.pattern.engine).toBe('linear');
    if (!compiled.ok) return;
    expect(compiled.pattern.test(hostile)).toBe(false);
    expect(compiled.pattern.test('ababc')).toBe(true);
  });

  it('a bounce rule and an automation rule with it classify a long hostile reply', () => {
    const classifier = createClassifier([
      { id: 'sneaky', description: '', pattern: sneaky, bounceClass: 10 },
    ]);
    expect(classifier.classify({ code: 550, enhanced: null, text: hostile }).ruleId).not.toBe('sneaky');
    const rules = compileAutomationRules([AutomationRule.parse(automation(sneaky))]);
    expect(matchAutomation(rules, hostile)).toBeUndefined();
  });

  it('matches only the first MAX_SUBJECT_LENGTH characters of a text', () => {
    const compiled = compilePattern('needle');
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    expect(compiled.pattern.test('x'.repeat(MAX_SUBJECT_LENGTH - 6) + 'needle')).toBe(true);
    expect(compiled.pattern.test('x'.repeat(MAX_SUBJECT_LENGTH) + 'needle')).toBe(false);
  });
});
