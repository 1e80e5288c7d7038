import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QualificationRow } from '../../src/shared/contract/bounce';
import { BounceRuleSchema, type BounceRule } from '../../src/shared/domain/bounce-rules';
import { createClassifier } from '../../src/main/engine/bounce/classifier';
import { DEFAULT_BOUNCE_RULES } from '../../src/main/defaults/bounce-rules';
import { normaliseReply } from '../../src/main/engine/bounce/normalise';
import { checkRules } from '../../src/main/engine/bounce/rule-check';
import {
  bounceRuleFromForm,
  bounceRuleToForm,
  checkDocument,
  describeConditions,
  describeOutcome,
  escapeRegExp,
  groupProblems,
  insertRuleAt,
  isGenericBounceRule,
  newBounceRuleForm,
  newRuleIndex,
  ruleFromReplyIndex,
  newBounceRule,
  patternFromNormalised,
  ruleFromReply,
  type ReplySource,
} from '../../src/renderer/features/bounces/bounce-rules-model';
import {
  foldedIndexOf,
  formatCodes,
  replySourceOf,
  requalifyFormOf,
  requalifyInput,
} from '../../src/renderer/features/bounces/qualification-model';

const rule = (patch: Partial<BounceRule> & { id: string }): BounceRule =>
  BounceRuleSchema.parse({ pattern: '', bounceClass: 40, ...patch });

describe('pattern escaping', () => {
  it('escapes every regular expression metacharacter so any text matches itself literally', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const re = new RegExp(`^${escapeRegExp(text)}$`);
        expect(re.test(text)).toBe(true);
      }),
    );
    expect(escapeRegExp('a.b*c{n}(x)[y]|z\\/?+^$')).toBe(
      'a\\.b\\*c\\{n\\}\\(x\\)\\[y\\]\\|z\\\\\\/\\?\\+\\^\\$',
    );
  });

  it('drops the codes that the normalised key starts with: rules match the text, codes are conditions', () => {
    expect(patternFromNormalised('550 5.1.1 <{email}>: user unknown')).toBe('<\\{email\\}>: user unknown');
    expect(patternFromNormalised('4.2.2 mailbox full')).toBe('mailbox full');
    expect(patternFromNormalised('421 try again later')).toBe('try again later');
    // A number that only looks like a code later in the text is kept.
    expect(patternFromNormalised('quota 550 exceeded')).toBe('quota 550 exceeded');
  });

  it('never cuts a long pattern in the middle of an escape sequence', () => {
    const long = `550 ${'a.'.repeat(1500)}`;
    const pattern = patternFromNormalised(long);
    expect(pattern.length).toBeLessThanOrEqual(2000);
    expect(() => new RegExp(pattern)).not.toThrow();
    expect(pattern.endsWith('\\')).toBe(false);
  });
});

describe('"Add rule" placement (issue 14 point 9)', () => {
  it('puts a new rule after the specific rules and before the generic fallbacks ending the shipped table', () => {
    const at = newRuleIndex(DEFAULT_BOUNCE_RULES);
    const firstStatusRule = DEFAULT_BOUNCE_RULES.findIndex((r) => r.id.startsWith('status-'));
    expect(at).toBe(firstStatusRule);
    expect(DEFAULT_BOUNCE_RULES.slice(at).every(isGenericBounceRule)).toBe(true);
    expect(isGenericBounceRule(DEFAULT_BOUNCE_RULES[at - 1]!)).toBe(false);
    // A table without generic fallbacks gets it last; an empty one first.
    expect(newRuleIndex(DEFAULT_BOUNCE_RULES.slice(0, at))).toBe(at);
    expect(newRuleIndex([])).toBe(0);
  });

  it('a new rule has no class until one is chosen', () => {
    const form = { ...newBounceRuleForm(DEFAULT_BOUNCE_RULES), pattern: 'acme says no' };
    expect(form.bounceClass).toBe('');
    expect(bounceRuleFromForm(form)).toEqual({
      ok: false,
      errors: { bounceClass: ['Choose the bounce class this rule gives'] },
    });
    expect(bounceRuleFromForm({ ...form, bounceClass: '52' })).toMatchObject({ ok: true });
  });

  it('a rule placed there is not shadowed and hides no shipped rule; at #1 the checker refuses the table', () => {
    const result = bounceRuleFromForm({
      ...newBounceRuleForm(DEFAULT_BOUNCE_RULES),
      pattern: 'recipient address rejected: access denied',
      bounceClass: '10',
      examples: '550 5.1.1 Recipient address rejected: Access denied',
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const placed = insertRuleAt(DEFAULT_BOUNCE_RULES, result.value, newRuleIndex(DEFAULT_BOUNCE_RULES));
    const check = checkRules(placed);
    // The example is taken by a shipped specific rule before it: the checker says which, as before.
    expect(check.ok || check.problems.every((p) => p.index === newRuleIndex(DEFAULT_BOUNCE_RULES))).toBe(
      true,
    );
    const generic = bounceRuleFromForm({ ...newBounceRuleForm(DEFAULT_BOUNCE_RULES), bounceClass: '10' });
    if (!generic.ok) throw new Error(JSON.stringify(generic.errors));
    // A catch-all "5xx" rule at #1 would shadow shipped rules: refused. Where Add rule puts it, it shadows
    // only the generic fallbacks after it, which the checker names.
    const first = checkRules(insertRuleAt(DEFAULT_BOUNCE_RULES, generic.value, 0));
    expect(first.ok).toBe(false);
    expect(
      !first.ok &&
        first.problems.some(
          (p) => p.kind === 'shadowed' && p.index! < newRuleIndex(DEFAULT_BOUNCE_RULES) + 1,
        ),
    ).toBe(true);
  });
});

describe('foldedIndexOf (marking the words a rule matched)', () => {
  it('finds the matched words whatever their case and Latin accents, and maps offsets back', () => {
    const text = '552 5.2.2 Boîte aux lettres pleine';
    const at = foldedIndexOf(text, 'boite aux lettres pleine');
    expect(at && text.slice(at.start, at.end)).toBe('Boîte aux lettres pleine');
    expect(foldedIndexOf('550 User Unknown', 'user unknown')).toEqual({ start: 4, end: 16 });
    expect(foldedIndexOf('550 nothing here', 'user unknown')).toBeNull();
    expect(foldedIndexOf('550 x', '')).toBeNull();
  });
});

describe('create a rule from a reply of the qualification table', () => {
  const raw = '550 5.7.1 <bob@example.org>: Message 4711 rejected by ACME content policy (ref AB12CD34EF)';
  const source: ReplySource = {
    normalised: normaliseReply(raw),
    firstRaw: raw,
    code: 550,
    enhanced: '5.7.1',
    bounceClass: 52,
    reason: 'refused',
    type: 'soft',
  };

  it('prefills a rule that the real classifier uses for this reply and its variants, and the checker accepts', () => {
    const created = ruleFromReply(source, DEFAULT_BOUNCE_RULES);
    expect(created).toMatchObject({ code: '550', enhanced: '5.7.1', bounceClass: 52, examples: [raw] });
    expect(created.id).toMatch(/^custom-\d+$/);
    // The class already gives Refused / Soft (SPEC §4.1: a refusal of the content): no overrides.
    expect(created.reason).toBeUndefined();
    expect(created.type).toBeUndefined();

    // It goes right before the rule that decides the reply today: it wins over that one and nothing earlier.
    const decider = createClassifier(DEFAULT_BOUNCE_RULES).classify({
      code: null,
      enhanced: null,
      text: raw,
    });
    const at = ruleFromReplyIndex(DEFAULT_BOUNCE_RULES, decider.ruleId);
    expect(DEFAULT_BOUNCE_RULES[at]?.id).toBe(decider.ruleId);
    const rules = insertRuleAt(DEFAULT_BOUNCE_RULES, created, at);
    const classifier = createClassifier(rules);
    const variant =
      '550 5.7.1 <alice@other.net>: Message 99 rejected by ACME content policy (ref ZZ98YY76XX)';
    for (const reply of [raw, variant]) {
      const verdict = classifier.classify({ code: null, enhanced: null, text: reply });
      expect(verdict).toMatchObject({ reason: 'refused', type: 'soft', bounceClass: 52, ruleId: created.id });
    }
    // Another text with the same codes is not caught by it.
    expect(
      classifier.classify({ code: null, enhanced: null, text: '550 5.7.1 something else entirely' }).ruleId,
    ).not.toBe(created.id);
    expect(checkRules(rules)).toMatchObject({ ok: true });
  });

  it('keeps the analyst’s reason and type as overrides only where they differ from the class', () => {
    const created = ruleFromReply({ ...source, reason: 'account_disabled', type: 'hard' }, []);
    expect(created).toMatchObject({ id: 'custom-1', reason: 'account_disabled', type: 'hard' });
    // A transient reply: the class's transient type is the reference.
    const transient = ruleFromReply(
      { ...source, code: 451, enhanced: '4.7.1', bounceClass: 51, reason: 'refused', type: 'soft' },
      [],
    );
    expect(transient.type).toBeUndefined();
  });

  it('works from a reply without codes (a DSN diagnostic) and picks a free id', () => {
    const created = ruleFromReply(
      { ...source, normalised: 'host unreachable', code: null, enhanced: null, bounceClass: 24 },
      [{ id: 'custom-1' }, { id: 'custom-2' }],
    );
    expect(created).toMatchObject({ id: 'custom-3', pattern: 'host unreachable', bounceClass: 24 });
    expect(created.code).toBeUndefined();
    expect(created.enhanced).toBeUndefined();
  });

  it('builds the source from a row with the class, reason and type chosen in the drawer', () => {
    const row: QualificationRow = {
      id: '7',
      key: source.normalised,
      source: 'sync',
      code: 550,
      enhanced: '5.7.1',
      firstRaw: raw,
      firstSeenAt: 1,
      lastSeenAt: 2,
      occurrences: 3,
      reason: 'not_defined',
      type: 'hard',
      bounceClass: 40,
      ruleId: 'code:5xx',
      why: 'no rule recognised the reply: a 5xx fails the message, the reason is to qualify',
      status: 'to_qualify',
      manual: false,
      updatedAt: 2,
    };
    const form = { ...requalifyFormOf(row), bounceClass: 52 as const, reason: 'refused' as const };
    expect(replySourceOf(row, form)).toEqual({ ...source, type: 'hard', ruleId: 'code:5xx' });
    expect(formatCodes(row)).toBe('550 5.7.1');
    expect(formatCodes({ code: null, enhanced: null })).toBe('—');
  });
});

describe('requalification input', () => {
  const row = {
    id: '3',
    reason: 'not_defined',
    type: 'hard',
    bounceClass: 40,
    status: 'to_qualify',
  } as QualificationRow;

  it('sends only the status while the qualification is unchanged (no manual override)', () => {
    expect(requalifyInput(row, { ...requalifyFormOf(row), status: 'keep' })).toEqual({
      id: '3',
      status: 'keep',
    });
  });

  it('sends reason, type and class together as soon as one changes', () => {
    expect(requalifyInput(row, { ...requalifyFormOf(row), status: 'keep', reason: 'user_unknown' })).toEqual({
      id: '3',
      status: 'keep',
      reason: 'user_unknown',
      type: 'hard',
      bounceClass: 40,
    });
  });
});

describe('bounce rule form', () => {
  const full = rule({
    id: 'acme-policy',
    description: 'ACME filter',
    provider: 'ACME',
    pattern: 'rejected by ACME',
    code: '5xx',
    enhanced: '5.7.*',
    command: 'DATA',
    mxScope: '*.acme.example',
    bounceClass: 52,
    reason: 'refused',
    type: 'hard',
    replyOnly: true,
    examples: ['554 5.7.1 rejected by ACME', '550 5.7.0 rejected by ACME again'],
  });

  it('round-trips a rule with every field', () => {
    expect(bounceRuleFromForm(bounceRuleToForm(full))).toEqual({ ok: true, value: full });
  });

  it('leaves unset optional fields out and trims, one example per non-empty line', () => {
    const form = {
      ...bounceRuleToForm(newBounceRule([])),
      id: ' x ',
      code: ' 5XX ',
      mxScope: ' *.Google.com ',
      examples: '550 a\n\n  550 b  \r\n',
    };
    const result = bounceRuleFromForm(form);
    expect(result).toEqual({
      ok: true,
      value: {
        id: 'x',
        description: '',
        pattern: '',
        code: '5xx',
        mxScope: '*.google.com',
        bounceClass: 40,
        examples: ['550 a', '550 b'],
      },
    });
  });

  it('reports problems by field: a pattern that does not compile, a bad code, a bad id', () => {
    const result = bounceRuleFromForm({
      ...bounceRuleToForm(full),
      id: 'Bad Id',
      pattern: 'user (unknown',
      code: '5x',
      enhanced: '5.1',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['code', 'enhanced', 'id', 'pattern']);
    expect(result.errors.pattern?.[0]).toMatch(/^does not compile/);
  });

  it('describes conditions and outcomes in words', () => {
    expect(describeConditions(full)).toEqual(['code 5xx', '5.7.*', 'after DATA', 'MX *.acme.example']);
    expect(describeOutcome(full)).toBe('Refused · Hard');
    expect(describeOutcome(rule({ id: 'a', bounceClass: 10 }))).toBe(
      'User unknown · Hard (5xx) / Soft (4xx)',
    );
    expect(describeOutcome(rule({ id: 'b', bounceClass: 22 }))).toBe('Mailbox full · Soft');
  });
});

describe('rules document', () => {
  it('groups problems by the rule they concern, the rest apart', () => {
    const grouped = groupProblems([
      { field: 'rules.2.pattern', message: 'does not compile' },
      { field: 'rules.2', message: 'shadowed by rule 1' },
      { field: 'rules.10.examples.0', message: 'caught by rule 3' },
      { field: 'classMapping', message: 'missing classes: 90' },
      { message: 'general' },
    ]);
    expect([...grouped.byRule.keys()]).toEqual([2, 10]);
    expect(grouped.byRule.get(2)?.map((p) => p.message)).toEqual(['does not compile', 'shadowed by rule 1']);
    expect(grouped.general.map((p) => p.message)).toEqual(['missing classes: 90', 'general']);
  });

  it('checks the draft with the contract schema and names the path of each problem', () => {
    const checked = checkDocument({
      rules: [rule({ id: 'a' }), rule({ id: 'a' })],
      classMapping: [],
    });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    const fields = checked.problems.map((p) => p.field);
    expect(fields).toContain('rules.1.id');
    expect(fields).toContain('classMapping');
  });
});
