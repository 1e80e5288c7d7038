/**
 * Catastrophic patterns at the API (the real app on a temp data dir, through the dispatcher): the classic ReDoS
 * patterns are refused by `bounceRules.save` and `rules.save` as `invalid_input` naming the rule's field,
 * nothing saved; a safe complex pattern is accepted; and `bounceRules.test` on a long hostile reply returns a
 * verdict for a stored rule whose ambiguity the analyser cannot see (the old code froze here for minutes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch';
import { openApp, type App } from '../../src/main/app';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { silentLogger } from '../../src/main/logger';
import type { RulesDocument } from '../../src/shared/contract/mta';
import { TEST_APP } from '../support/app-options';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'http' as const };
let tmp: TempDir;
let app: App;

beforeAll(async () => {
  tmp = makeTempDir();
  app = await openApp({ ...TEST_APP, dataDir: tmp.dir });
});
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

const call = (method: string, input: unknown) => dispatch(app.handlers, method, input, ctx, silentLogger);

const REDOS = ['(a+)+$', '(a|a)*$', '(a|aa)+$', '(.*a){20}', '(\\w+\\d+)+$'];

async function bounceMapping(): Promise<unknown> {
  const current = await call('bounceRules.get', {});
  if (!current.ok) throw new Error('bounceRules.get failed');
  return (current.value as { classMapping: unknown }).classMapping;
}

describe('bounceRules.save', () => {
  it.each(REDOS)('refuses %s with the rule field and why, nothing saved', async (pattern) => {
    const classMapping = await bounceMapping();
    const result = await call('bounceRules.save', {
      rules: [
        { id: 'fine', description: '', pattern: 'user unknown', bounceClass: 10 },
        { id: 'hostile', description: '', pattern, bounceClass: 10 },
      ],
      classMapping,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.details).toEqual([
      {
        field: 'rules.1.pattern',
        message: expect.stringMatching(/^may take (exponential|polynomial) time on hostile text/),
      },
    ]);
    expect(result.error.message).toContain('rules.1.pattern');
    const after = await call('bounceRules.get', {});
    expect(after.ok && (after.value as { isDefault: boolean }).isDefault).toBe(true);
  });

  it('accepts a safe complex pattern, and a long hostile reply to the rule tester returns a verdict', async () => {
    const classMapping = await bounceMapping();
    const saved = await call('bounceRules.save', {
      rules: [
        {
          id: 'gone',
          description: '',
          pattern: String.raw`^(?:the )?(?:user|mailbox|recipient)[-_. ]?(?:unknown|not found)\b(?! by policy)`,
          bounceClass: 10,
          examples: ['550 mailbox not found'],
        },
        // Exponential for a backtracking engine on "abab…x", not reported by the analyser: RE2 runs it.
        { id: 'sneaky', description: '', pattern: '^(a|b|ab)*c$', bounceClass: 20, examples: ['550 ababc'] },
      ],
      classMapping,
    });
    expect(saved.ok).toBe(true);
    const tested = await call('bounceRules.test', { reply: '550 ' + 'ab'.repeat(9_000) + 'x' });
    expect(tested.ok).toBe(true);
    expect(
      tested.ok && (tested.value as { classification: { ruleId: string } }).classification.ruleId,
    ).not.toBe('sneaky');
    const hit = await call('bounceRules.test', { reply: '550 ababc' });
    expect(hit.ok && (hit.value as { classification: { ruleId: string } }).classification.ruleId).toBe(
      'sneaky',
    );
    expect((await call('bounceRules.reset', {})).ok).toBe(true);
  });
});

describe('rules.save (automation rules)', () => {
  it.each(REDOS)('refuses %s with the rule field and why, nothing saved', async (pattern) => {
    const doc: RulesDocument = structuredClone(DEFAULT_RULES);
    doc.automationRules[1]!.pattern = pattern;
    const result = await call('rules.save', doc);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.details).toEqual([
      {
        field: 'automationRules.1.pattern',
        message: expect.stringMatching(/^may take (exponential|polynomial) time on hostile text/),
      },
    ]);
    expect(result.error.message).toContain('automationRules.1.pattern');
    const after = await call('rules.get', {});
    expect(after.ok && after.value).toEqual(DEFAULT_RULES);
  });

  it('accepts a safe complex pattern', async () => {
    const doc: RulesDocument = structuredClone(DEFAULT_RULES);
    doc.automationRules[0]!.pattern = String.raw`\[TS0[1-4]\]|4\.7\.28 .{0,80}rate|\(S3150\)(?! test)`;
    const result = await call('rules.save', doc);
    expect(result.ok).toBe(true);
    expect((await call('rules.reset', {})).ok).toBe(true);
  });
});
