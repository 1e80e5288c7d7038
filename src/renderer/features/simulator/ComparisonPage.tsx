/**
 * One simulation (`#/simulator/:id`): its scenarios compared side by side, live while it runs, with
 * "Export PDF" (`simulations.exportPdf`: the printable view `#/simulator/:id/report` printed by Chromium).
 */
import type { Simulation } from '../../../shared/contract/simulation';
import { useMutation, useQuery } from '../../api/hooks';
import { paths } from '../../app/router';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner, Notice } from '../../components/ErrorBanner';
import { ProgressBar } from '../../components/ProgressBar';
import { downloadFile } from '../reports/report-model';
import { ComparisonBody, headerFacts } from './Comparison';
import { progressOf } from './simulation-model';
import '../reports/report.css';
import './simulator.css';

export function ComparisonPage({ id }: { id: string }) {
  const simulation = useQuery(
    'simulations.get',
    { id },
    { invalidateOn: { 'simulation.changed': (p) => p.id === id }, coalesceMs: 300 },
  );
  const exporter = useMutation('simulations.exportPdf');

  if (simulation.loading)
    return (
      <div className="page">
        <div className="loading">Loading the simulation…</div>
      </div>
    );
  if (!simulation.data)
    return (
      <div className="page">
        {simulation.error?.code === 'not_found' ? (
          <EmptyState
            title="No such simulation"
            body={`Simulation ${id} does not exist in this data directory (it may have been removed).`}
            action={<a href={paths.simulations()}>Back to simulations</a>}
            testId="simulation-not-found"
          />
        ) : (
          <ErrorBanner
            error={simulation.error}
            title="The simulation could not be loaded"
            action={<Button onClick={simulation.refetch}>Retry</Button>}
          />
        )}
      </div>
    );

  const s = simulation.data;
  const onExport = async () => {
    const result = await exporter.mutate({ id });
    if (result.ok) downloadFile(result.value);
  };

  return (
    <div className="page cmp-page" data-testid="comparison-page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <a href={paths.simulations()}>Simulations</a>
      </nav>
      <header className="page-header">
        <div className="min-w-0">
          <div className="title-row">
            <h1 className="page-title" data-testid="comparison-title">
              {s.name}
            </h1>
            <StateBadge simulation={s} />
          </div>
          <dl className="cmp-facts" data-testid="comparison-facts">
            {headerFacts(s).map((f) => (
              <div key={f.label}>
                <dt>{f.label}</dt>
                <dd>{f.value}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div className="row gap-1 cmp-actions">
          {s.state === 'done' && (
            <a className="btn" href={paths.simulationReport(id)} data-testid="comparison-printable">
              Printable view
            </a>
          )}
          <Button
            variant="primary"
            onClick={() => void onExport()}
            disabled={s.state !== 'done' || exporter.pending}
            title={
              s.state === 'done'
                ? 'Download the comparison as a PDF (A4 landscape)'
                : 'Available once every scenario is done'
            }
            testId="comparison-export-pdf"
          >
            {exporter.pending ? 'Preparing the PDF…' : 'Export PDF'}
          </Button>
        </div>
      </header>
      <ErrorBanner error={exporter.error} title="The PDF could not be made" />
      <ErrorBanner error={simulation.error} title="Live updates failed; the figures below may be stale" />
      <Body simulation={s} />
    </div>
  );
}

function StateBadge({ simulation: s }: { simulation: Simulation }) {
  if (s.state === 'running')
    return (
      <Badge tone="blue" testId="comparison-state">
        <span className="dot" aria-hidden="true" />
        Running
      </Badge>
    );
  if (s.state === 'failed')
    return (
      <Badge tone="red" testId="comparison-state">
        <span className="dot" aria-hidden="true" />
        Failed
      </Badge>
    );
  return (
    <Badge tone="green" testId="comparison-state">
      <span className="dot" aria-hidden="true" />
      Done
    </Badge>
  );
}

function Body({ simulation: s }: { simulation: Simulation }) {
  if (s.state === 'failed')
    return (
      <div className="banner banner-red" role="alert">
        <div className="banner-body">
          <div className="banner-title">The simulation failed</div>
          <div>{s.error ?? 'No reason was recorded.'}</div>
        </div>
      </div>
    );
  if (s.state === 'running' || s.results.length === 0) {
    const progress = progressOf(s);
    return (
      <Notice tone="blue" testId="comparison-running">
        <div className="sim-progress">
          <span>The scenarios are being run; the comparison shows once every scenario is done.</span>
          <ProgressBar value={Math.round(progress.ratio * 1000)} max={1000} label="Simulation progress" />
          <span className="muted small">{progress.label}</span>
        </div>
      </Notice>
    );
  }
  return <ComparisonBody simulation={s} print={false} />;
}
