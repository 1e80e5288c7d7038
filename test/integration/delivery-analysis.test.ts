/**
 * The pre-send analysis kept with a delivery (issue 15 item 4): `deliveries.create` refuses a report with errors
 * that the analyst did not acknowledge, keeps the report and the acknowledgement otherwise, and
 * `deliveries.analysis` returns it (null for a delivery created without one). The analysis itself is run by
 * `analysis.run` against a scripted resolver: no test asks a real DNS server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main/app';
import { AppError } from '../../src/shared/contract/errors';
import type { AnalysisReport } from '../../src/shared/contract/analysis';
import { DeliveriesListInput } from '../../src/shared/contract/deliveries-list';
import { TEST_APP } from '../support/app-options';
import { scriptedDns } from '../support/analysis-dns';
import { csvOf, deliveryRequest } from '../support/campaign-fixtures';
import { makeTempDir, type TempDir } from '../support/store-temp';

const ctx = { transport: 'http' as const };
let tmp: TempDir;
let app: App;

beforeAll(async () => {
  tmp = makeTempDir();
  // Nothing published: no DKIM key, no SPF, no DMARC, recipients' domains without MX.
  app = await openApp({
    ...TEST_APP,
    dataDir: tmp.dir,
    engine: false,
    sandbox: false,
    analysisDns: scriptedDns({}),
  });
});
afterAll(async () => {
  await app?.close();
  tmp?.remove();
});

const input = () =>
  deliveryRequest({
    recipients: { fileName: 'list.csv', csv: csvOf(['a@nomx.example', 'b@nomx.example']) },
    start: false,
  });

async function analyse(): Promise<AnalysisReport> {
  const { name: _n, timeScale: _t, recipientsPerTransaction: _r, start: _s, ...rest } = input();
  return app.handlers['analysis.run'](rest, ctx);
}

describe('a delivery created with its pre-send analysis', () => {
  it('is refused when the analysis has errors that were not acknowledged, and nothing is created', async () => {
    const report = await analyse();
    expect(report.counts.error).toBeGreaterThan(0);
    const before = (await app.handlers['deliveries.list'](DeliveriesListInput.parse({}), ctx)).items.length;
    let error: unknown;
    try {
      await app.handlers['deliveries.create'](
        { ...input(), analysis: { report, acknowledgedErrors: false } },
        ctx,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('analysis_unacknowledged');
    expect((error as AppError).message).toMatch(/^The pre-send analysis found \d+ errors? \(/);
    expect((await app.handlers['deliveries.list'](DeliveriesListInput.parse({}), ctx)).items).toHaveLength(
      before,
    );
  });

  it('keeps the report and the acknowledgement, returned by deliveries.analysis', async () => {
    const report = await analyse();
    const created = await app.handlers['deliveries.create'](
      { ...input(), analysis: { report, acknowledgedErrors: true } },
      ctx,
    );
    const kept = await app.handlers['deliveries.analysis']({ id: created.delivery.id }, ctx);
    expect(kept.analysis).toEqual({ report, acknowledgedErrors: true, recordedAt: expect.any(Number) });
  });

  it('keeps a report with warnings only, which needs no acknowledgement', async () => {
    const report = await analyse();
    const warningsOnly: AnalysisReport = {
      ...report,
      checks: report.checks.filter((c) => c.result !== 'error'),
      counts: { ...report.counts, error: 0 },
    };
    const created = await app.handlers['deliveries.create'](
      { ...input(), analysis: { report: warningsOnly, acknowledgedErrors: false } },
      ctx,
    );
    const kept = await app.handlers['deliveries.analysis']({ id: created.delivery.id }, ctx);
    expect(kept.analysis?.acknowledgedErrors).toBe(false);
    expect(kept.analysis?.report.checks).toEqual(warningsOnly.checks);
  });

  it('has none when created without one (API, CLI)', async () => {
    const created = await app.handlers['deliveries.create'](input(), ctx);
    expect(await app.handlers['deliveries.analysis']({ id: created.delivery.id }, ctx)).toEqual({
      analysis: null,
    });
  });
});
