/**
 * The pre-send analysis (issue 15): on New delivery the "Analyse" step before "Create and start" (run, read,
 * confirm errors); on a delivery's page the analysis it was created with. Checks are grouped by area, each with
 * its result, title, explanation, how to fix it and its details.
 */
import type { AnalysisReport } from '../../../shared/contract/analysis';
import { CHECK_RESULT_LABELS } from '../../../shared/contract/analysis';
import type { AppError } from '../../../shared/contract/errors';
import { useQuery } from '../../api/hooks';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { ErrorBanner } from '../../components/ErrorBanner';
import { formatDateTime } from '../../components/format';
import { groupChecks, RESULT_TONE, summaryLine } from './analysis-model';
import './analysis.css';

/** The checks of a report by area. */
export function AnalysisChecks({ report }: { report: AnalysisReport }) {
  return (
    <div data-testid="analysis-checks">
      {groupChecks(report).map((g) => (
        <section key={g.area} className="analysis-group" data-testid={`analysis-area-${g.area}`}>
          <h3 className="analysis-group-title">{g.label}</h3>
          <ul className="analysis-checks">
            {g.checks.map((c, i) => (
              <li
                key={`${c.id}-${i}`}
                className="analysis-check"
                data-testid="analysis-check"
                data-check={c.id}
                data-result={c.result}
              >
                <div>
                  <Badge tone={RESULT_TONE[c.result]}>{CHECK_RESULT_LABELS[c.result]}</Badge>
                </div>
                <div>
                  <div className="analysis-check-title">{c.title}</div>
                  <p>{c.explanation}</p>
                  {c.fix && (
                    <p className="analysis-fix">
                      <strong>Fix: </strong>
                      {c.fix}
                    </p>
                  )}
                  {c.details && c.details.length > 0 && (
                    <ul className="analysis-details">
                      {c.details.map((d, j) => (
                        <li key={j}>{d}</li>
                      ))}
                    </ul>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

export function AnalysisSummary({ report }: { report: AnalysisReport }) {
  const { counts } = report;
  const tone = counts.error > 0 ? 'red' : counts.warning > 0 ? 'amber' : 'green';
  return (
    <Badge tone={tone} testId="analysis-summary">
      {summaryLine(counts)}
    </Badge>
  );
}

export function AnalysisPanel({
  report,
  stale,
  running,
  error,
  acknowledged,
  onAcknowledge,
  onRun,
}: {
  report: AnalysisReport | null;
  stale: boolean;
  running: boolean;
  error: AppError | null;
  acknowledged: boolean;
  onAcknowledge: (v: boolean) => void;
  onRun: () => void;
}) {
  return (
    <Card
      title="Analyse before sending"
      description="DKIM, SPF, DMARC, the message, the recipients and the settings, checked as receivers will see them."
      testId="analysis-panel"
      actions={
        <Button onClick={onRun} disabled={running} testId="run-analysis">
          {running ? 'Analysing…' : report ? 'Run again' : 'Analyse'}
        </Button>
      }
    >
      <ErrorBanner error={error} title="The analysis could not run" />
      {!report && !running && !error && (
        <p className="card-description">
          Not run yet. “Create and start” runs it first; you can also run it now.
        </p>
      )}
      {report && (
        <>
          <div className="analysis-summary">
            <AnalysisSummary report={report} />
            {stale && (
              <span className="analysis-stale" data-testid="analysis-stale">
                The delivery changed since this analysis: run it again.
              </span>
            )}
          </div>
          <div className={stale ? 'analysis-stale-body' : undefined}>
            <AnalysisChecks report={report} />
          </div>
          {!stale && report.counts.error > 0 && (
            <label className="choice analysis-ack">
              <input
                type="checkbox"
                data-testid="analysis-ack"
                checked={acknowledged}
                onChange={(e) => onAcknowledge(e.target.checked)}
              />
              <span className="choice-label">I have read the errors and want to send anyway</span>
            </label>
          )}
        </>
      )}
    </Card>
  );
}

/** A delivery's page: the analysis it was created with, collapsed to its counts until opened. */
export function DeliveryAnalysisCard({ deliveryId }: { deliveryId: string }) {
  const kept = useQuery('deliveries.analysis', { id: deliveryId });
  const analysis = kept.data?.analysis;
  if (kept.data === undefined)
    return <ErrorBanner error={kept.error} title="The pre-send analysis cannot be read" />;
  return (
    <Card testId="delivery-analysis">
      <details className="analysis-collapsible">
        <summary className="analysis-summary">
          <strong>Pre-send analysis</strong>
          {analysis ? (
            <>
              <AnalysisSummary report={analysis.report} />
              <span className="muted" data-testid="analysis-acknowledged">
                {analysis.report.counts.error > 0
                  ? analysis.acknowledgedErrors
                    ? 'Errors acknowledged: sent anyway'
                    : 'Errors not acknowledged'
                  : 'Nothing to acknowledge'}{' '}
                · run {formatDateTime(analysis.report.ranAt)}
              </span>
            </>
          ) : (
            <span className="muted">No analysis was run (created through the API or the command line).</span>
          )}
        </summary>
        {analysis && <AnalysisChecks report={analysis.report} />}
      </details>
    </Card>
  );
}
