import { describe, expect, it } from 'vitest';
import { createClassifier, type ReplyToClassify } from '../../src/main/engine/bounce/classifier';
import { DEFAULT_BOUNCE_RULES } from '../../src/main/defaults/bounce-rules';
import { checkRules } from '../../src/main/engine/bounce/rule-check';
import { BOUNCE_CLASS_MAPPING, type BounceRuleInput } from '../../src/shared/domain/bounce-rules';
import { parseSmtpReply } from '../../src/shared/domain/smtp-reply';

const classifier = createClassifier();

function reply(raw: string, extra: Partial<ReplyToClassify> = {}): ReplyToClassify {
  const p = parseSmtpReply(raw);
  return { code: p.code, enhanced: p.enhanced, text: p.text, command: 'RCPT', ...extra };
}

describe('default bounce rules', () => {
  const cases = DEFAULT_BOUNCE_RULES.flatMap((rule) =>
    (rule.examples ?? []).map((example) => ({ id: rule.id, rule, example })),
  );

  it('gives every rule at least one real example', () => {
    expect(DEFAULT_BOUNCE_RULES.filter((r) => !r.examples?.length).map((r) => r.id)).toEqual([]);
  });

  it.each(cases)('$id: $example', ({ rule, example }) => {
    const verdict = classifier.classify(reply(example, { command: rule.command ?? 'RCPT' }));
    expect(verdict.ruleId).toBe(rule.id);
    expect(verdict.bounceClass).toBe(rule.bounceClass);
    expect(verdict.reason).toBe(rule.reason ?? BOUNCE_CLASS_MAPPING[rule.bounceClass].reason);
  });

  it('passes the rule checker (compiles, nothing shadowed, every example reaches its rule)', () => {
    expect(checkRules(DEFAULT_BOUNCE_RULES).problems).toEqual([]);
  });
});

/** Independent expectations, written from the providers' documented replies, not from the rule table. */
describe('provider replies', () => {
  it.each([
    ['550-5.1.1 The email account that you tried to reach does not exist. - gsmtp', 'user_unknown', 'hard'],
    ['452-4.2.2 The email account that you tried to reach is over quota. - gsmtp', 'mailbox_full', 'soft'],
    [
      '421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address.',
      'unreachable',
      'soft',
    ],
    ['550-5.7.26 This mail has been blocked because the sender is unauthenticated.', 'refused', 'soft'],
    [
      '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints',
      'refused',
      'soft',
    ],
    [
      "554 delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0]",
      'user_unknown',
      'hard',
    ],
    ['552 1 Requested mail action aborted, mailbox full', 'mailbox_full', 'soft'],
    ['550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302).', 'user_unknown', 'hard'],
    ["550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. (S3150)", 'refused', 'soft'],
    ['550 5.4.1 Recipient address rejected: Access denied. AS(201806281)', 'user_unknown', 'hard'],
    [
      '550 5.1.1 <a@b.test>: Recipient address rejected: User unknown in local recipient table',
      'user_unknown',
      'hard',
    ],
    ['550 Unrouteable address', 'invalid_domain', 'soft'],
    ['550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550', 'user_unknown', 'hard'],
    ['554 5.7.1 Message rejected due to content restrictions', 'refused', 'soft'],
    ['550 5.7.1 No such user!', 'user_unknown', 'hard'],
    ['451 4.7.1 Greylisted, please try again later', 'unreachable', 'soft'],
    ['552 5.3.4 Message size exceeds fixed limit', 'message_too_large', 'ignored'],
    ['550 5.1.2 Domain does not exist', 'invalid_domain', 'soft'],
    ['550 5.2.1 The email account that you tried to reach is disabled.', 'account_disabled', 'soft'],
  ])('%s -> %s/%s', (raw, reason, type) => {
    const v = classifier.classify(reply(raw));
    expect([v.reason, v.type]).toEqual([reason, type]);
  });
});

describe('classifier fallbacks and conditions', () => {
  it('uses the enhanced status code when no text rule matches', () => {
    expect(classifier.classify(reply('550 5.1.1 Go away'))).toMatchObject({
      reason: 'user_unknown',
      type: 'hard',
      ruleId: 'status-x.1.1',
    });
    expect(classifier.classify(reply('452 4.2.2 Nope'))).toMatchObject({
      reason: 'mailbox_full',
      type: 'soft',
    });
    expect(classifier.classify(reply('554 5.7.0 Nope'))).toMatchObject({
      reason: 'refused',
      type: 'soft',
      bounceClass: 50,
    });
    // A code the table has no rule for is decided by its subject, and marked as such.
    expect(classifier.classify(reply('550 5.1.9 Nope'))).toMatchObject({
      reason: 'user_unknown',
      ruleId: 'status:X.1.*',
    });
  });

  it('lets a text rule win over the status code, and the status code over a weak text', () => {
    // Sendmail's own 5.1.1 for AT&T's "[SUSPEND]": the text says more than the status.
    expect(classifier.classify(reply('550 5.1.1 [SUSPEND] Mailbox currently suspended'))).toMatchObject({
      reason: 'account_disabled',
      type: 'soft',
    });
    // "recipient rejected" says less than 5.1.1, and "mailbox unavailable" less than 5.2.1.
    expect(classifier.classify(reply('550 5.1.1 <a@b.test> recipient rejected')).reason).toBe('user_unknown');
    expect(classifier.classify(reply('550 5.2.1 mailbox unavailable')).reason).toBe('account_disabled');
    expect(classifier.classify(reply('550 mailbox unavailable')).reason).toBe('user_unknown');
  });

  it('folds diacritics and compatibility forms before matching', () => {
    for (const text of [
      '550 Boîte aux lettres pleine',
      '550 Boite aux lettres pleine',
      '550 BOÎTE AUX LETTRES PLEINE',
    ])
      expect(classifier.classify(reply(text)).reason).toBe('mailbox_full');
    expect(classifier.classify(reply('550 ｕｓｅｒ ｕｎｋｎｏｗｎ')).reason).toBe('user_unknown');
  });

  it('explains each verdict: the rule and the words it matched, the status code, or the fallback', () => {
    const byRule = classifier.explain(
      reply('550 5.1.1 <a@b.test>: Recipient address rejected: User unknown'),
    );
    expect(byRule.matched).toBe('User unknown');
    expect(byRule.why).toContain('rule "user-unknown"');
    expect(byRule.why).toContain('the reply says "User unknown"');
    const byStatus = classifier.explain(reply('550 5.1.1 Go away'));
    expect(byStatus.why).toContain('status 5.1.1 (Bad destination mailbox address)');
    const unknown = classifier.explain(reply('554 Transaction failed'));
    expect(unknown.why).toMatch(/no rule recognised the reply: a 5xx fails the message/);
  });

  it('falls back to the basic code, and treats success as ignored', () => {
    // SPEC §4.1: an unrecognised 5xx is Not defined (To qualify): it fails the message, never the address.
    expect(classifier.classify(reply('554 Transaction failed'))).toMatchObject({
      ruleId: 'code:5xx',
      reason: 'not_defined',
      type: 'not_defined',
    });
    expect(classifier.classify(reply('421 Bye'))).toMatchObject({ ruleId: 'code:4xx', type: 'soft' });
    expect(classifier.classify(reply('250 2.0.0 Ok'))).toMatchObject({
      reason: 'error_ignored',
      type: 'ignored',
    });
  });

  it('reads codes left in the text and derives permanence from a lone enhanced code', () => {
    expect(classifier.classify({ code: null, enhanced: null, text: '550 5.1.1 nobody here' }).type).toBe(
      'hard',
    );
    expect(classifier.classify({ code: null, enhanced: '4.2.2', text: 'over quota' }).type).toBe('soft');
  });

  it('honours code, enhanced, command and MX scope conditions', () => {
    const rules: BounceRuleInput[] = [
      {
        id: 'scoped',
        pattern: 'nope',
        mxScope: '*.google.com',
        enhanced: '5.7.*',
        command: 'DATA',
        bounceClass: 52,
      },
      { id: 'exact-code', pattern: 'nope', code: '554', bounceClass: 51 },
    ];
    const checked = checkRules(rules);
    expect(checked.ok).toBe(true);
    const c = createClassifier(checked.rules ?? []);
    const base = reply('550 5.7.1 nope', { command: 'DATA', mxHost: 'aspmx.l.google.com' });
    expect(c.classify(base).ruleId).toBe('scoped');
    expect(c.classify({ ...base, mxHost: 'mx.other.test' }).ruleId).toBe('status:X.7.*');
    expect(c.classify({ ...base, command: 'RCPT' }).ruleId).toBe('status:X.7.*');
    expect(c.classify(reply('554 5.7.1 nope')).ruleId).toBe('exact-code');
  });
});

describe('rule checker', () => {
  const base = { description: '', bounceClass: 10 } as const;

  it('names the rule and field of an invalid or non-compiling rule', () => {
    const bad = checkRules([
      { ...base, id: 'a', pattern: '(' },
      { ...base, id: 'B!', pattern: 'x' },
    ]);
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => [p.kind, p.index, p.field])).toEqual([['invalid', 1, 'id']]);
    const broken = checkRules([{ ...base, id: 'a', pattern: '(' }]);
    expect(broken.problems[0]).toMatchObject({ kind: 'compile', index: 0, field: 'pattern' });
    expect(broken.problems[0]?.message).toMatch(/rule #1 "a": pattern does not compile/);
  });

  it('refuses exact duplicates, catch-alls before specific rules, and rules whose examples an earlier rule takes', () => {
    expect(
      checkRules([
        { ...base, id: 'a', pattern: 'user unknown' },
        { ...base, id: 'b', pattern: 'USER UNKNOWN' },
      ]).problems,
    ).toMatchObject([{ kind: 'shadowed', ruleId: 'b' }]);
    expect(
      checkRules([
        { ...base, id: 'all', pattern: '.*', code: '5xx' },
        { ...base, id: 'b', pattern: 'x', code: '550' },
      ]).problems,
    ).toMatchObject([{ kind: 'shadowed', ruleId: 'b' }]);
    expect(
      checkRules([
        { ...base, id: 'a', pattern: 'unknown' },
        { ...base, id: 'b', pattern: 'user unknown here', examples: ['550 user unknown here'] },
      ]).problems,
    ).toMatchObject([{ kind: 'shadowed', ruleId: 'b' }]);
    expect(
      checkRules([
        { ...base, id: 'a', pattern: 'unknown', code: '4xx' },
        { ...base, id: 'b', pattern: 'user unknown here', examples: ['550 user unknown here'] },
      ]).ok,
    ).toBe(true);
    expect(
      checkRules([
        { ...base, id: 'a', pattern: 'foo', enhanced: '5.1.*' },
        {
          ...base,
          id: 'b',
          pattern: 'bar',
          enhanced: '5.1.1',
          examples: ['550 5.1.1 foo bar', '550 5.1.1 bar'],
        },
      ]).problems,
    ).toMatchObject([{ kind: 'example_caught', ruleId: 'b', field: 'examples.0' }]);
    expect(checkRules([{ ...base, id: 'a', pattern: 'foo', examples: ['550 bar'] }]).problems).toMatchObject([
      { kind: 'example_mismatch', ruleId: 'a' },
    ]);
  });

  it('accepts a narrower scope after a broader one only when the patterns differ', () => {
    expect(
      checkRules([
        { ...base, id: 'a', pattern: 'blocked', mxScope: '*.google.com' },
        { ...base, id: 'b', pattern: 'blocked', mxScope: 'aspmx.l.google.com' },
      ]).problems,
    ).toMatchObject([{ kind: 'shadowed', ruleId: 'b' }]);
    expect(
      checkRules([
        { ...base, id: 'a', pattern: 'blocked', mxScope: 'aspmx.l.google.com' },
        { ...base, id: 'b', pattern: 'blocked', mxScope: '*.google.com' },
      ]).ok,
    ).toBe(true);
  });
});
