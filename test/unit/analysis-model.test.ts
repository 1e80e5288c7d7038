import { describe, expect, it } from 'vitest';
import { countChecks, type AnalysisCheck, type AnalysisReport } from '../../src/shared/contract/analysis';
import {
  analysisInputOf,
  analysisKey,
  groupChecks,
  isStale,
  nextStep,
  summaryLine,
} from '../../src/renderer/features/deliveries/analysis-model';

const check = (id: string, area: AnalysisCheck['area'], result: AnalysisCheck['result']): AnalysisCheck => ({
  id,
  area,
  result,
  title: id,
  explanation: `${id} explained`,
});

const report = (checks: AnalysisCheck[]): AnalysisReport => ({
  ranAt: 1,
  checks,
  counts: countChecks(checks),
});

describe('the New delivery page’s analysis step', () => {
  it('groups checks by area in a fixed order, most severe first, leaving out empty areas', () => {
    const groups = groupChecks(
      report([
        check('route', 'delivery', 'info'),
        check('dkim.key', 'authentication', 'pass'),
        check('spf', 'authentication', 'warning'),
        check('dmarc', 'authentication', 'error'),
        check('mx', 'recipients', 'pass'),
      ]),
    );
    expect(groups.map((g) => [g.area, g.label, g.worst, g.checks.map((c) => c.id)])).toEqual([
      ['authentication', 'Authentication (DKIM, SPF, DMARC)', 'error', ['dmarc', 'spf', 'dkim.key']],
      ['recipients', 'Recipients', 'pass', ['mx']],
      ['delivery', 'Delivery settings', 'info', ['route']],
    ]);
  });

  it('sums up errors and warnings in words', () => {
    expect(summaryLine({ pass: 7, info: 2, warning: 3, error: 2 })).toBe(
      '2 errors, 3 warnings · 7 checks passed',
    );
    expect(summaryLine({ pass: 1, info: 0, warning: 1, error: 0 })).toBe('1 warning · 1 check passed');
    expect(summaryLine({ pass: 4, info: 1, warning: 0, error: 0 })).toBe(
      'No errors or warnings · 4 checks passed',
    );
  });

  it('marks a result stale when the form it read has changed', () => {
    const input = {
      name: 'n',
      template: { fromName: '', fromAddress: 'a@b.test', subject: 's', text: 't', html: '' },
      recipients: { fileName: 'l.csv', csv: 'email\r\nx@y.test' },
      routes: [],
      smarthost: null,
      validityMs: 86_400_000,
      reporting: 'efs' as const,
    };
    const key = analysisKey(analysisInputOf(input));
    const state = { report: report([]), key };
    expect(isStale(null, key)).toBe(false);
    expect(isStale(state, key)).toBe(false);
    // The delivery's name is not read by the analysis: renaming keeps the result.
    expect(isStale(state, analysisKey(analysisInputOf({ ...input, name: 'other' })))).toBe(false);
    expect(isStale(state, analysisKey(analysisInputOf({ ...input, reporting: 'classic' })))).toBe(true);
    const changedSubject = { ...input, template: { ...input.template, subject: 'new' } };
    expect(isStale(state, analysisKey(analysisInputOf(changedSubject)))).toBe(true);
  });

  it('runs the analysis first, asks to confirm errors, and creates with warnings only', () => {
    const withErrors = { report: report([check('dkim', 'authentication', 'error')]), key: 'k' };
    const withWarnings = { report: report([check('spf', 'authentication', 'warning')]), key: 'k' };
    expect(nextStep(null, 'k', false)).toBe('analyse');
    expect(nextStep(withWarnings, 'changed', false)).toBe('analyse');
    expect(nextStep(withErrors, 'changed', true)).toBe('analyse');
    expect(nextStep(withErrors, 'k', false)).toBe('confirm');
    expect(nextStep(withErrors, 'k', true)).toBe('create');
    expect(nextStep(withWarnings, 'k', false)).toBe('create');
  });
});
