/**
 * The New delivery page's "Analyse" step (issue 15): the pre-send analysis's checks grouped by area, the summary
 * line, whether the result still describes the form (stale when the form changed since it ran), and what
 * "Create and start" must do first. The analysis warns and never blocks silently: errors need the analyst's
 * explicit confirmation; warnings are shown and need none.
 */
import type { AnalysisReport, AnalysisRunInput, CheckResult } from '../../../shared/contract/analysis';
import type { CreateDeliveryInput } from '../../../shared/contract';
import type { Tone } from '../../components/tones';

export const RESULT_TONE: Record<CheckResult, Tone> = {
  pass: 'green',
  info: 'blue',
  warning: 'amber',
  error: 'red',
};

export { groupChecks, type CheckGroup } from '../../../shared/contract/analysis';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** "2 errors, 3 warnings" — or "No errors or warnings" — followed by the passed checks' count. */
export function summaryLine(counts: AnalysisReport['counts']): string {
  const problems = [
    counts.error > 0 ? plural(counts.error, 'error') : null,
    counts.warning > 0 ? plural(counts.warning, 'warning') : null,
  ].filter(Boolean);
  const head = problems.length > 0 ? problems.join(', ') : 'No errors or warnings';
  return `${head} · ${plural(counts.pass, 'check')} passed`;
}

/** What `analysis.run` reads of the delivery about to be created. */
export function analysisInputOf(input: CreateDeliveryInput): AnalysisRunInput {
  return {
    template: input.template,
    recipients: input.recipients,
    routes: input.routes,
    smarthost: input.smarthost,
    validityMs: input.validityMs,
    reporting: input.reporting,
  };
}

/** Identifies the form's content the analysis depends on: a result is stale once this changes. */
export function analysisKey(input: AnalysisRunInput): string {
  return JSON.stringify(input);
}

export interface AnalysisState {
  report: AnalysisReport;
  /** `analysisKey` of the input the report was computed from. */
  key: string;
}

export function isStale(state: AnalysisState | null, currentKey: string | null): boolean {
  return state !== null && state.key !== currentKey;
}

/**
 * What "Create and start" does now:
 * - `analyse`: no current result (never run, or the form changed since): run the analysis first;
 * - `confirm`: the current result has errors and sending anyway is not confirmed: show them and ask;
 * - `create`: create with this result (warnings are shown but need no extra step).
 */
export type CreateStep = 'analyse' | 'confirm' | 'create';

export function nextStep(
  state: AnalysisState | null,
  currentKey: string | null,
  acknowledgedErrors: boolean,
): CreateStep {
  if (state === null || isStale(state, currentKey)) return 'analyse';
  if (state.report.counts.error > 0 && !acknowledgedErrors) return 'confirm';
  return 'create';
}
