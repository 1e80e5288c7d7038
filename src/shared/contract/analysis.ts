/**
 * Contract of the pre-send delivery analysis (SPEC §5, issue 15): what the analyst is told before a delivery
 * starts. Each check has a result, a plain explanation and, when it is not a pass, how to fix it. The analysis
 * warns and never blocks silently: starting a delivery whose analysis has errors needs an explicit
 * confirmation, recorded with the delivery.
 */
import { z } from 'zod';
import { CreateDeliveryInput, EpochMs, Id } from './schemas';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, description: string) {
  return { input, output, description };
}

/** `info` states a fact the analyst should know (the route, the reporting mode) without judging it. */
export const CHECK_RESULTS = ['pass', 'info', 'warning', 'error'] as const;
export const CheckResult = z.enum(CHECK_RESULTS);
export type CheckResult = z.infer<typeof CheckResult>;

export const CHECK_RESULT_LABELS: Record<CheckResult, string> = {
  pass: 'Pass',
  info: 'Information',
  warning: 'Warning',
  error: 'Error',
};

export const CHECK_AREAS = ['authentication', 'message', 'recipients', 'delivery'] as const;
export const CheckArea = z.enum(CHECK_AREAS);
export type CheckArea = z.infer<typeof CheckArea>;

export const CHECK_AREA_LABELS: Record<CheckArea, string> = {
  authentication: 'Authentication (DKIM, SPF, DMARC)',
  message: 'Message',
  recipients: 'Recipients',
  delivery: 'Delivery settings',
};

export const AnalysisCheck = z.object({
  /** Stable machine name, e.g. `dkim.dns`, `spf.result`, `message.size`. */
  id: z.string(),
  area: CheckArea,
  result: CheckResult,
  /** One line: what was checked and what was found ("DKIM key published for rd202612._domainkey.example.com"). */
  title: z.string(),
  /** Plain explanation of the finding and why it matters to receivers. */
  explanation: z.string(),
  /** How to fix it; absent on a pass. */
  fix: z.string().optional(),
  /** Supporting lines: records found, examples of affected recipients (a few), counts. */
  details: z.array(z.string()).optional(),
});
export type AnalysisCheck = z.infer<typeof AnalysisCheck>;

export const AnalysisReport = z.object({
  ranAt: EpochMs,
  checks: z.array(AnalysisCheck),
  counts: z.object({
    pass: z.number().int().nonnegative(),
    info: z.number().int().nonnegative(),
    warning: z.number().int().nonnegative(),
    error: z.number().int().nonnegative(),
  }),
});
export type AnalysisReport = z.infer<typeof AnalysisReport>;

/** The counts of a list of checks by result. */
export function countChecks(checks: readonly AnalysisCheck[]): AnalysisReport['counts'] {
  const counts = { pass: 0, info: 0, warning: 0, error: 0 };
  for (const c of checks) counts[c.result]++;
  return counts;
}

/** Most severe first within an area, keeping the analysis's order otherwise. */
const SEVERITY: Record<CheckResult, number> = { error: 0, warning: 1, info: 2, pass: 3 };

export interface CheckGroup {
  area: CheckArea;
  label: string;
  checks: AnalysisCheck[];
  worst: CheckResult;
}

/**
 * The checks grouped for reading (console, CLI): by area in the order Authentication, Message, Recipients,
 * Delivery settings, empty areas left out, the most severe first within an area.
 */
export function groupChecks(report: AnalysisReport): CheckGroup[] {
  const groups: CheckGroup[] = [];
  for (const area of CHECK_AREAS) {
    const checks = report.checks
      .map((c, i) => [c, i] as const)
      .filter(([c]) => c.area === area)
      .sort(([a, i], [b, j]) => SEVERITY[a.result] - SEVERITY[b.result] || i - j)
      .map(([c]) => c);
    if (checks.length === 0) continue;
    groups.push({ area, label: CHECK_AREA_LABELS[area], checks, worst: checks[0]!.result });
  }
  return groups;
}

/** What the analysis reads: the delivery as it is about to be created. */
export const AnalysisRunInput = CreateDeliveryInput.pick({
  template: true,
  recipients: true,
  routes: true,
  smarthost: true,
  validityMs: true,
  reporting: true,
});
export type AnalysisRunInput = z.input<typeof AnalysisRunInput>;

/**
 * The analysis a delivery is created with (`deliveries.create`'s `analysis`): the report the analyst saw and
 * whether they confirmed sending despite its errors. A report with errors that are not acknowledged is refused
 * (`analysis_unacknowledged`).
 */
export const DeliveryAnalysisInput = z.object({
  report: AnalysisReport,
  acknowledgedErrors: z.boolean().default(false),
});
export type DeliveryAnalysisInput = z.input<typeof DeliveryAnalysisInput>;

/** `deliveries.create`'s input: the delivery and, when one was run, its pre-send analysis. */
export const CreateDeliveryWithAnalysisInput = CreateDeliveryInput.extend({
  analysis: DeliveryAnalysisInput.optional(),
});
export type CreateDeliveryWithAnalysisInput = z.input<typeof CreateDeliveryWithAnalysisInput>;

/** The analysis kept with a delivery; `null` for a delivery created without one (API, CLI). */
export const DeliveryAnalysis = z.object({
  report: AnalysisReport,
  acknowledgedErrors: z.boolean(),
  recordedAt: EpochMs,
});
export type DeliveryAnalysis = z.infer<typeof DeliveryAnalysis>;

export const DeliveryAnalysisResult = z.object({ analysis: DeliveryAnalysis.nullable() });
export type DeliveryAnalysisResult = z.infer<typeof DeliveryAnalysisResult>;

/** Whether a delivery may be created with this analysis: errors need the analyst's acknowledgement. */
export function analysisNeedsAcknowledgement(report: AnalysisReport): boolean {
  return report.checks.some((c) => c.result === 'error');
}

export const analysisMethods = {
  'analysis.run': method(
    AnalysisRunInput,
    AnalysisReport,
    'Pre-send delivery analysis: DKIM, SPF, DMARC, the message, the recipients and the settings, each check ' +
      'with a result, an explanation and how to fix it; nothing is written',
  ),
  'deliveries.analysis': method(
    z.object({ id: Id }),
    DeliveryAnalysisResult,
    'The pre-send analysis a delivery was created with and whether its errors were acknowledged (null: none)',
  ),
} as const;
