/**
 * The comparison of a simulation's scenarios, side by side (one column per scenario, and the difference when
 * there are two): scenario settings, key figures with the delivery page's definitions, statuses, time and
 * effort, quarantines, shaping events, failure reasons, domains, the receivers' side per profile and the
 * timeline. The same markup serves the console page and the printable report (`print`), whose CSS is the
 * report's paper look.
 */
import type { ReactNode } from 'react';
import { describeRules } from '../../../shared/contract/rules-json';
import type { ScenarioResult, Simulation } from '../../../shared/contract/simulation';
import { LOG_STATUSES, LOG_STATUS_LABELS } from '../../../shared/domain/statuses';
import { formatDuration } from '../../../shared/domain/duration';
import { formatCount, formatDateTime, formatRate } from '../../components/format';
import {
  difference,
  domainRows,
  effortFigures,
  formatSpan,
  keyFigures,
  profileGroups,
  profilesUsed,
  quarantineRows,
  reasonRows,
  shapingRows,
  type FigureRow,
} from './simulation-model';
import { OutcomesSection } from './OutcomesTable';
import { TimelineSvg } from './TimelineSvg';

interface Ctx {
  results: readonly ScenarioResult[];
  names: string[];
  diff: boolean;
  print: boolean;
}

export function ComparisonBody({ simulation, print }: { simulation: Simulation; print: boolean }) {
  const results = simulation.results;
  const ctx: Ctx = {
    results,
    names: results.map((r) => r.scenario.name),
    diff: results.length === 2,
    print,
  };
  const statusRows: FigureRow[] = LOG_STATUSES.map((s) => ({
    id: `status-${s}`,
    label: LOG_STATUS_LABELS[s],
    format: 'count' as const,
    better: s === 'sent' ? ('higher' as const) : s === 'failed' ? ('lower' as const) : null,
    values: results.map((r) => r.delivery.statusCounts[s] ?? 0),
  })).filter((row) => row.values.some((v) => v !== 0) || row.id === 'status-sent');
  const quarantines = quarantineRows(results);
  const shaping = shapingRows(results);
  const reasons = reasonRows(results);

  return (
    <div className="cmp" data-testid="comparison">
      <Section title="Scenarios" id="cmp-scenarios" ctx={ctx}>
        <SettingsTable ctx={ctx} />
      </Section>
      <Section title="Key figures" id="cmp-kpis" ctx={ctx}>
        <FigureTable ctx={ctx} rows={keyFigures(results)} caption="Figure" testId="cmp-kpis" />
      </Section>
      <Section title="Messages by status" id="cmp-statuses" ctx={ctx}>
        <FigureTable ctx={ctx} rows={statusRows} caption="Status" testId="cmp-statuses" />
      </Section>
      <Section title="Time and attempts" id="cmp-effort" ctx={ctx}>
        <FigureTable ctx={ctx} rows={effortFigures(results)} caption="Figure" testId="cmp-effort" />
      </Section>
      <Section title="Timeline" id="cmp-timeline" ctx={ctx}>
        <TimelineSvg results={results} print={print} />
      </Section>
      <Section title="Failure and exclusion reasons" id="cmp-reasons" ctx={ctx}>
        <FigureTable
          ctx={ctx}
          rows={reasons}
          caption="Reason"
          empty="No message failed or was excluded in any scenario."
          testId="cmp-reasons"
        />
      </Section>
      {/* Side by side on paper, and on screen while two scenarios leave room; else one under the other. */}
      <div className={print ? 'cmp-pair' : results.length <= 2 ? 'cmp-pair cmp-pair-screen' : 'cmp'}>
        <Section title="Quarantines by reason" id="cmp-quarantines" ctx={ctx}>
          <FigureTable
            ctx={ctx}
            rows={quarantines}
            caption="Reason"
            empty="No address was put in quarantine."
            testId="cmp-quarantines"
          />
        </Section>
        <Section title="Shaping events" id="cmp-shaping" ctx={ctx}>
          <FigureTable
            ctx={ctx}
            rows={shaping}
            caption="Event"
            empty="The engine did not change any destination's pace."
            testId="cmp-shaping"
          />
        </Section>
      </div>
      <Section title="Domains" id="cmp-domains" ctx={ctx}>
        <DomainTable ctx={ctx} />
      </Section>
      <Section
        title="What happened, line by line"
        id="cmp-outcomes-section"
        ctx={ctx}
        note={
          print
            ? 'Per domain, each way its recipients ended, with one of them as a worked example: its attempts and the mail that came back, in simulated time from the start.'
            : 'Per domain, each way its recipients ended, with one of them as a worked example: its attempts and the mail that came back, in simulated time from the start. Hover a line for its whole reply.'
        }
      >
        <OutcomesSection results={results} names={ctx.names} print={print} />
      </Section>
      <Section
        title="Receivers (provider profiles)"
        id="cmp-profiles"
        ctx={ctx}
        note="What each simulated receiver saw. Figures that are zero in every scenario are left out."
      >
        <ProfileTable ctx={ctx} silent={silentProfiles(simulation)} />
      </Section>
    </div>
  );
}

/** Profiles the recipients met without any receiver-side figure (a dead domain). */
function silentProfiles(s: Simulation): string[] {
  const withFigures = new Set(profileGroups(s.results).map((g) => g.profile));
  return profilesUsed(s.profiles.profiles, s.results)
    .filter((p) => !withFigures.has(p.id))
    .map((p) => p.name);
}

function Section({
  title,
  id,
  ctx,
  note,
  children,
}: {
  title: string;
  id: string;
  ctx: Ctx;
  note?: string;
  children: ReactNode;
}) {
  if (ctx.print)
    return (
      <section className="report-section cmp-section" aria-labelledby={id} data-testid={id}>
        <h2 id={id}>{title}</h2>
        {note && <p className="report-muted cmp-note">{note}</p>}
        {children}
      </section>
    );
  return (
    <section className="card cmp-card" aria-labelledby={id} data-testid={id}>
      <header className="card-header">
        <div>
          <h2 className="card-title" id={id}>
            {title}
          </h2>
          {note && <p className="card-description">{note}</p>}
        </div>
      </header>
      <div className="cmp-scroll">{children}</div>
    </section>
  );
}

const tableClass = (ctx: Ctx, extra = '') =>
  [ctx.print ? 'report-table cmp-table' : 'table-compact table-full cmp-table', extra]
    .filter(Boolean)
    .join(' ');

function HeadCells({ ctx, diffLabel = true }: { ctx: Ctx; diffLabel?: boolean }) {
  return (
    <>
      {ctx.names.map((n, i) => (
        <th key={i} scope="col" className="num cmp-scenario-head">
          {n}
        </th>
      ))}
      {ctx.diff && diffLabel && (
        <th scope="col" className="num cmp-diff-head" title="Second scenario minus the first">
          {ctx.names[1]} − {ctx.names[0]}
        </th>
      )}
    </>
  );
}

function formatValue(row: FigureRow, v: number | null, r: ScenarioResult | undefined): string {
  if (v === null) {
    if (row.id === 'final-after' && r) return `not final after ${formatSpan(r.simulatedMs)}`;
    return '—';
  }
  switch (row.format) {
    case 'count':
      return formatCount(v);
    case 'rate':
      return formatRate(v);
    case 'span':
      return formatSpan(v);
  }
}

function DiffCell({ row }: { row: FigureRow }) {
  const d = difference(row, formatCount);
  return <td className={`num cmp-diff cmp-diff-${d.tone}`}>{d.text}</td>;
}

function FigureTable({
  ctx,
  rows,
  caption,
  empty,
  testId,
}: {
  ctx: Ctx;
  rows: readonly FigureRow[];
  caption: string;
  empty?: string;
  testId: string;
}) {
  if (rows.length === 0)
    return (
      <p className={ctx.print ? 'report-muted' : 'muted small cmp-empty'} data-testid={`${testId}-empty`}>
        {empty ?? 'Nothing to compare.'}
      </p>
    );
  return (
    <table className={tableClass(ctx)} data-testid={testId}>
      <thead>
        <tr>
          <th scope="col" className="cmp-label-head">
            {caption}
          </th>
          <HeadCells ctx={ctx} />
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} data-row={row.id}>
            <th scope="row" className="cmp-label">
              {row.label}
              {row.hint && <span className="cmp-hint"> · {row.hint}</span>}
            </th>
            {row.values.map((v, i) => (
              <td key={i} className={row.id === 'final-after' && v === null ? 'num cmp-not-final' : 'num'}>
                {formatValue(row, v, ctx.results[i])}
              </td>
            ))}
            {ctx.diff && <DiffCell row={row} />}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SettingsTable({ ctx }: { ctx: Ctx }) {
  const rows: { label: string; values: string[] }[] = [
    {
      label: 'Validity',
      values: ctx.results.map((r) => formatDuration(r.scenario.validityMs)),
    },
    {
      label: 'Reporting',
      values: ctx.results.map((r) =>
        r.scenario.reporting === 'efs' ? 'EFS (sent = accepted)' : 'Classic (sent = relayed)',
      ),
    },
    {
      label: 'Recipients per transaction',
      values: ctx.results.map((r) => formatCount(r.scenario.recipientsPerTransaction)),
    },
    {
      label: 'MX and automation rules',
      values: ctx.results.map((r) =>
        r.scenario.rules === null ? 'Stored rules' : `Own rules: ${describeRules(r.scenario.rules)}`,
      ),
    },
  ];
  return (
    <table className={tableClass(ctx)} data-testid="cmp-settings">
      <thead>
        <tr>
          <th scope="col" className="cmp-label-head">
            Setting
          </th>
          <HeadCells ctx={ctx} diffLabel={false} />
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const differs = new Set(row.values).size > 1;
          return (
            <tr key={row.label} className={differs ? 'cmp-differs' : undefined}>
              <th scope="row" className="cmp-label">
                {row.label}
              </th>
              {row.values.map((v, i) => (
                <td key={i} className="num cmp-text">
                  {v}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const DOMAIN_CAP = 40;

function DomainTable({ ctx }: { ctx: Ctx }) {
  const rows = domainRows(ctx.results);
  if (rows.length === 0)
    return <p className={ctx.print ? 'report-muted' : 'muted small cmp-empty'}>No domain was processed.</p>;
  const shown = rows.slice(0, DOMAIN_CAP);
  return (
    <>
      <table className={tableClass(ctx, 'cmp-domains')} data-testid="cmp-domains">
        <thead>
          <tr>
            <th scope="col" rowSpan={2} className="cmp-label-head">
              Domain
            </th>
            {ctx.names.map((n, i) => (
              <th key={i} scope="colgroup" colSpan={4} className="cmp-group-head">
                {n}
              </th>
            ))}
            {ctx.diff && (
              <th
                scope="col"
                rowSpan={2}
                className="num cmp-diff-head"
                title="Second scenario minus the first"
              >
                Delivered %
                <br />
                {ctx.names[1]} − {ctx.names[0]}
              </th>
            )}
          </tr>
          <tr>
            {ctx.names.map((_, i) => (
              <DomainSubHeads key={i} first={i === 0} />
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => {
            const [a, b] = row.cells;
            const delta =
              a?.deliveredRate != null && b?.deliveredRate != null ? b.deliveredRate - a.deliveredRate : null;
            const tone =
              delta === null ? 'none' : Math.abs(delta) < 1e-9 ? 'same' : delta > 0 ? 'better' : 'worse';
            return (
              <tr key={row.domain}>
                <th scope="row" className="cmp-label">
                  {row.domain}
                </th>
                {row.cells.map((c, i) => (
                  <DomainCells key={i} cell={c} first={i === 0} />
                ))}
                {ctx.diff && (
                  <td className={`num cmp-diff cmp-diff-${tone}`}>
                    {delta === null
                      ? '—'
                      : tone === 'same'
                        ? '='
                        : `${delta > 0 ? '+' : '−'}${(Math.abs(delta) * 100).toFixed(1)} pts`}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length > shown.length && (
        <p className={ctx.print ? 'report-more' : 'muted small'}>
          … and {formatCount(rows.length - shown.length)} more domains.
        </p>
      )}
    </>
  );
}

function DomainSubHeads({ first }: { first: boolean }) {
  const cls = (extra = '') => ['num', first ? '' : '', extra].filter(Boolean).join(' ');
  return (
    <>
      <th scope="col" className={cls('cmp-group-start')}>
        Processed
      </th>
      <th scope="col" className={cls()}>
        Delivered %
      </th>
      <th scope="col" className={cls()} title="Failed with a hard failure type">
        Hard
      </th>
      <th scope="col" className={cls()} title="Messages that had a soft bounce">
        Soft
      </th>
    </>
  );
}

function DomainCells({
  cell,
}: {
  cell: { processed: number; deliveredRate: number | null; hard: number; soft: number } | null;
  first: boolean;
}) {
  if (!cell)
    return (
      <>
        <td className="num cmp-group-start">—</td>
        <td className="num">—</td>
        <td className="num">—</td>
        <td className="num">—</td>
      </>
    );
  return (
    <>
      <td className="num cmp-group-start">{formatCount(cell.processed)}</td>
      <td className="num">{formatRate(cell.deliveredRate)}</td>
      <td className="num">{formatCount(cell.hard)}</td>
      <td className="num">{formatCount(cell.soft)}</td>
    </>
  );
}

function ProfileTable({ ctx, silent }: { ctx: Ctx; silent: readonly string[] }) {
  const groups = profileGroups(ctx.results);
  const note =
    silent.length > 0 ? (
      <p className={ctx.print ? 'report-muted' : 'muted small cmp-empty'} data-testid="cmp-profiles-silent">
        No receiver-side figure for {silent.join(', ')}: no session was accepted (a receiver that refuses
        every connection sees none).
      </p>
    ) : null;
  if (groups.length === 0)
    return (
      <>
        <p className={ctx.print ? 'report-muted' : 'muted small cmp-empty'}>No receiver saw traffic.</p>
        {note}
      </>
    );
  return (
    <>
      <table className={tableClass(ctx, 'cmp-profiles')} data-testid="cmp-profiles">
        <thead>
          <tr>
            <th scope="col" className="cmp-label-head">
              Receiver
            </th>
            <HeadCells ctx={ctx} />
          </tr>
        </thead>
        {groups.map((g) => (
          <tbody key={g.profile} className="cmp-profile-group">
            <tr className="cmp-group-row">
              <th scope="rowgroup" colSpan={1 + ctx.names.length + (ctx.diff ? 1 : 0)}>
                {g.name}
              </th>
            </tr>
            {g.rows.map((row) => (
              <tr key={row.id}>
                <th scope="row" className="cmp-label cmp-indent">
                  {row.label}
                </th>
                {row.values.map((v, i) => (
                  <td key={i} className="num">
                    {v === null ? '—' : formatCount(v)}
                  </td>
                ))}
                {ctx.diff && <DiffCell row={row} />}
              </tr>
            ))}
          </tbody>
        ))}
      </table>
      {note}
    </>
  );
}

/** Title block data: who, what, when. */
export function headerFacts(s: Simulation): { label: string; value: string }[] {
  const used = profilesUsed(s.profiles.profiles, s.results);
  const profiles =
    used.length > 0
      ? `${used.map((p) => p.name).join(', ')} (${used.length} of ${s.profiles.profiles.length})`
      : `${formatCount(s.profiles.profiles.length)} profile${s.profiles.profiles.length === 1 ? '' : 's'}`;
  return [
    { label: 'Subject', value: s.templateName },
    { label: 'Recipients', value: `${formatCount(s.recipients)} from ${s.fileName}` },
    { label: 'Seed', value: String(s.seed) },
    { label: 'Profiles', value: profiles },
    {
      label: 'Run',
      value: `${formatDateTime(s.createdAt)}${s.realMs !== null ? `, took ${formatSpan(s.realMs)}` : ''}`,
    },
  ];
}
