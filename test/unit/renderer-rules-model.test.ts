import { describe, expect, it } from 'vitest';
import { RulesDocument, type MxRule } from '../../src/shared/contract/mta';
import { checkRulesJson, formatRulesJson } from '../../src/shared/contract/rules-json';
import {
  adaptiveFromForm,
  adaptiveToForm,
  automationRuleFromForm,
  automationRuleToForm,
  buildDocument,
  canMoveMxRule,
  describeAction,
  describeTrigger,
  draftOf,
  exportFileName,
  formatPerHour,
  groupByField,
  insertMxRule,
  moveMxRule,
  mxRuleFromForm,
  mxRuleToForm,
  newAutomationRule,
  newMxRule,
  problemRow,
  removeMxRule,
  rowsWithProblems,
  sameDraft,
} from '../../src/renderer/features/rules/rules-model';

const timeouts = { connectMs: 30_000, commandMs: 300_000, dataMs: 600_000 };
const rule = (id: string, mask: string, patch: Partial<MxRule> = {}): MxRule => ({
  id,
  description: '',
  match: { kind: 'mx', mask },
  maxConnections: 5,
  maxMessagesPerConnection: 100,
  messagesPerHour: 1000,
  timeouts,
  tls: 'opportunistic',
  enabled: true,
  ...patch,
});

const DOC = RulesDocument.parse({
  format: 'relaydeck-rules',
  version: 1,
  mxRules: [rule('gmail', '*.google.com'), rule('yahoo', '*.yahoodns.net'), rule('generic', '*')],
  automationRules: [
    {
      id: 'yahoo-ts03',
      scope: '*.yahoodns.net',
      pattern: '\\[TS03\\]',
      trigger: { kind: 'immediate' },
      action: { kind: 'suspend', durationMs: 4 * 3_600_000 },
    },
  ],
});
const ids = (rules: readonly MxRule[]) => rules.map((r) => r.id);

describe('MX rules list operations', () => {
  it('moves rules up and down but never past or with the generic rule', () => {
    expect(ids(moveMxRule(DOC.mxRules, 1, -1))).toEqual(['yahoo', 'gmail', 'generic']);
    expect(ids(moveMxRule(DOC.mxRules, 1, 1))).toEqual(['gmail', 'yahoo', 'generic']);
    expect(ids(moveMxRule(DOC.mxRules, 2, -1))).toEqual(['gmail', 'yahoo', 'generic']);
    expect(canMoveMxRule(DOC.mxRules, 0, -1)).toBe(false);
    expect(canMoveMxRule(DOC.mxRules, 0, 1)).toBe(true);
    expect(canMoveMxRule(DOC.mxRules, 1, 1)).toBe(false);
    expect(canMoveMxRule(DOC.mxRules, 2, -1)).toBe(false);
  });

  it('inserts new rules before the generic rule, which cannot be deleted', () => {
    const added = insertMxRule(DOC.mxRules, newMxRule(DOC.mxRules));
    expect(ids(added)).toEqual(['gmail', 'yahoo', 'rule-1', 'generic']);
    expect(ids(insertMxRule(added, newMxRule(added)))).toEqual([
      'gmail',
      'yahoo',
      'rule-1',
      'rule-2',
      'generic',
    ]);
    expect(ids(removeMxRule(DOC.mxRules, 2))).toEqual(['gmail', 'yahoo', 'generic']);
    expect(ids(removeMxRule(DOC.mxRules, 0))).toEqual(['yahoo', 'generic']);
  });
});

describe('rule forms', () => {
  it('round-trips an MX rule through its form, durations and "unlimited" included', () => {
    const r = rule('corp', 'mail.corp.example', { messagesPerHour: null, tls: 'required' });
    const form = mxRuleToForm(r);
    expect(form).toMatchObject({
      messagesPerHour: '',
      connectTimeout: '30s',
      commandTimeout: '5m',
      dataTimeout: '10m',
    });
    expect(mxRuleFromForm(form)).toEqual({ ok: true, value: r });
    expect(mxRuleFromForm({ ...form, messagesPerHour: '12,000', mask: ' *.Google.COM ' })).toMatchObject({
      ok: true,
      value: { messagesPerHour: 12_000, match: { mask: '*.google.com' } },
    });
  });

  it('names every bad field by its schema path', () => {
    const bad = mxRuleFromForm({
      ...mxRuleToForm(rule('x', '*')),
      maxConnections: 'many',
      connectTimeout: '30 parsecs',
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(Object.keys(bad.errors).sort()).toEqual(['maxConnections', 'timeouts.connectMs']);

    const schema = mxRuleFromForm({ ...mxRuleToForm(rule('Bad Id', 'not a mask')), maxConnections: '0' });
    expect(schema.ok).toBe(false);
    if (schema.ok) return;
    expect(Object.keys(schema.errors).sort()).toEqual(['id', 'match.mask', 'maxConnections']);
  });

  it('round-trips automation rules and describes their trigger and action', () => {
    const throttle = {
      ...DOC.automationRules[0]!,
      trigger: { kind: 'count' as const, count: 3, windowMs: 600_000 },
      action: { kind: 'throttle' as const, rateFactor: 0.25, maxConnections: 2, durationMs: 1_800_000 },
    };
    expect(automationRuleFromForm(automationRuleToForm(throttle))).toEqual({ ok: true, value: throttle });
    expect(describeTrigger(throttle.trigger)).toBe('3 within 10m');
    expect(describeAction(throttle.action)).toBe('throttle to 25%, 2 connections for 30m');
    expect(describeTrigger({ kind: 'immediate' })).toBe('immediately');
    expect(describeAction({ kind: 'suspend', durationMs: 4 * 3_600_000 })).toBe('suspend for 4h');
    expect(describeAction({ kind: 'bounce_queue' })).toBe('bounce the queue');
    expect(formatPerHour(null)).toBe('unlimited');

    const bad = automationRuleFromForm({ ...automationRuleToForm(newAutomationRule([])), pattern: '[TS01' });
    expect(bad.ok ? null : Object.keys(bad.errors)).toEqual(['pattern']);
  });

  it('reads the adaptive settings as percentages and durations', () => {
    const form = adaptiveToForm(DOC.adaptive);
    expect(form).toMatchObject({ decreasePercent: '50', breakerPercent: '90', breakerBlock: '3h' });
    expect(adaptiveFromForm(form)).toEqual({ ok: true, value: DOC.adaptive });
    const bad = adaptiveFromForm({ ...form, decreasePercent: '150', suspend: 'soon' });
    expect(bad.ok ? null : Object.keys(bad.errors)).toEqual(['suspendMs']);
    const bad2 = adaptiveFromForm({ ...form, decreasePercent: '150' });
    expect(bad2.ok ? null : Object.keys(bad2.errors)).toEqual(['decreaseFactor']);
  });
});

describe('the whole document', () => {
  it('builds the saved document back from an untouched draft', () => {
    const draft = draftOf(DOC);
    expect(buildDocument(draft)).toEqual({ ok: true, doc: DOC });
    expect(sameDraft(draft, draftOf(DOC))).toBe(true);
    expect(sameDraft({ ...draft, mxRules: moveMxRule(draft.mxRules, 0, 1) }, draft)).toBe(false);
  });

  it('reports document problems with the server paths and maps them to table rows', () => {
    const draft = draftOf(DOC);
    const dup = { ...draft, mxRules: [rule('gmail', '*.google.com'), ...draft.mxRules] };
    const built = buildDocument(dup);
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.problems).toEqual([{ field: 'mxRules.1.id', message: 'duplicate id "gmail"' }]);
    expect(problemRow(built.problems[0]!)).toEqual({ list: 'mxRules', index: 1, field: 'id' });
    expect([...rowsWithProblems(built.problems, 'mxRules')]).toEqual([1]);
    expect(groupByField(built.problems, 'mxRules.1.')).toEqual({ id: ['duplicate id "gmail"'] });

    const adaptive = buildDocument({ ...draft, adaptive: { ...draft.adaptive, suspend: 'x' } });
    expect(adaptive.ok ? null : adaptive.problems.map((p) => p.field)).toEqual(['adaptive.suspendMs']);
  });

  it('names the export file after the local date', () => {
    expect(exportFileName(new Date(2025, 0, 31, 23, 59))).toBe('relaydeck-rules-2025-01-31.json');
  });
});

describe('rules JSON', () => {
  it('formats canonically whatever the key order of the input', () => {
    const text = formatRulesJson(DOC);
    const shuffled = JSON.parse(text, (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).reverse())
        : v,
    ) as unknown;
    expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(JSON.parse(text)));
    expect(formatRulesJson(shuffled as RulesDocument)).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith('{\n  "format": "relaydeck-rules",\n  "version": 1,\n  "mxRules": [')).toBe(true);
  });

  it('checks a file: syntax errors with line and column, schema problems with their paths', () => {
    expect(checkRulesJson(`\uFEFF${formatRulesJson(DOC)}`)).toEqual({ ok: true, doc: DOC });
    const syntax = checkRulesJson('{\n  "format": "relaydeck-rules",\n}');
    expect(syntax.ok).toBe(false);
    if (!syntax.ok) expect(syntax.problems[0]).toMatchObject({ line: 3, column: 1 });

    const doc = JSON.parse(formatRulesJson(DOC)) as { mxRules: { match: { mask: string } }[] };
    doc.mxRules[1]!.match.mask = 'bad mask!';
    doc.mxRules.reverse();
    const bad = checkRulesJson(JSON.stringify(doc));
    expect(bad.ok ? [] : bad.problems.map((p) => p.field)).toEqual([
      'mxRules.1.match.mask',
      'mxRules.0.match.mask',
      'mxRules',
    ]);
  });
});
