/**
 * The built CLI end to end: `deliver --wait --json` against a real loopback SMTP server that accepts, defers
 * once (451 4.7.1) and rejects (550 5.1.1), then `report` in both formats.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASON_IDS } from '../../src/shared/domain/reasons';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { makeTempDir, type TempDir } from '../support/store-temp';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'out/main/cli.cjs');

let server: ScriptedServer;
let tmp: TempDir;

const relaydeck = (args: string[]) =>
  run(process.execPath, [cli, ...args], {
    cwd: tmp.dir,
    timeout: 45_000,
    env: { ...process.env, RELAYDECK_DATA: '' },
  });

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'pipe' });
  server = await startScriptedServer();
  tmp = makeTempDir();
  fs.writeFileSync(
    path.join(tmp.dir, 'list.csv'),
    [
      'email;first_name', // 1
      'ok.ann@example.test;Ann', // 2
      'ok.bob@example.test;Bob', // 3
      'grey.cid@example.test;Cid', // 4: deferred once, then accepted
      'unknown.dan@example.test;Dan', // 5: 550 5.1.1
      'OK.ANN@example.test;Ann again', // 6: duplicate
      ';Nobody', // 7: no address
      'not-an-address;Bad', // 8: import error
      'ok.eve@other.test;Eve', // 9
    ].join('\r\n'),
  );
  fs.writeFileSync(
    path.join(tmp.dir, 'news.eml'),
    'From: News <news@sender.test>\r\nSubject: Hi {{first_name}}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello {{first_name}}\r\n',
  );
});
afterAll(async () => {
  await server?.close();
  tmp?.remove();
});

describe('relaydeck deliver --wait --json', () => {
  let summary: Record<string, unknown>;
  let stderr: string;

  beforeAll(async () => {
    const out = await relaydeck([
      'deliver',
      '--data',
      path.join(tmp.dir, 'data'),
      '--recipients',
      'list.csv',
      '--message',
      'news.eml',
      '--route',
      `*=127.0.0.1:${server.port}`,
      '--time-scale',
      '100000',
      '--wait',
      '--json',
    ]);
    summary = JSON.parse(out.stdout) as Record<string, unknown>;
    stderr = out.stderr;
  });

  it('prints one JSON summary with exact counts by status and reason, and the KPIs', () => {
    const zeroReasons = Object.fromEntries(REASON_IDS.map((r) => [r, 0]));
    expect(Object.keys(summary).sort()).toEqual(
      [
        'deliveryId',
        'durationMs',
        'importErrors',
        'kpi',
        'name',
        'reasonCounts',
        'state',
        'statusCounts',
      ].sort(),
    );
    expect(summary).toMatchObject({ deliveryId: '1', name: 'news', state: 'completed' });
    expect(summary.statusCounts).toEqual({
      pending: 0,
      taken_into_account: 0,
      sent: 4,
      failed: 1,
      ignored: 2,
      cancelled: 0,
    });
    expect(summary.reasonCounts).toEqual({
      ...zeroReasons,
      user_unknown: 1,
      address_not_specified: 1,
      double: 1,
    });
    expect(summary.kpi).toEqual({
      initialPopulation: 7,
      excluded: 2,
      toDeliver: 5,
      processed: 5,
      success: 4,
      errors: 1,
      softInProgress: 0,
      hardBounces: 1,
      // docs/kpi.md: a message greylisted then delivered is Sent, not a soft bounce.
      softBounces: 0,
      successRate: 0.8,
      hardBounceRate: 0.2,
    });
    expect(summary.importErrors).toEqual([
      { line: 8, field: 'email', message: '"not-an-address" is not an address (expected local@domain)' },
    ]);
    expect(summary.durationMs).toEqual(expect.any(Number));
  });

  it('delivered the accepted messages to the server, the deferred one after its retry', () => {
    const delivered = server.messages.flatMap((m) => m.to).sort();
    expect(delivered).toEqual([
      'grey.cid@example.test',
      'ok.ann@example.test',
      'ok.bob@example.test',
      'ok.eve@other.test',
    ]);
    const ann = server.messages.find((m) => m.to.includes('ok.ann@example.test'));
    expect(ann?.raw).toContain('Subject: Hi Ann');
  });

  it('reports the import error with its line number on stderr', () => {
    expect(stderr).toContain('list.csv:8: "not-an-address" is not an address');
  });

  it('exports the report as JSON and as CSV with a BOM', async () => {
    const data = path.join(tmp.dir, 'data');
    const json = await relaydeck(['report', '--data', data, '--delivery', '1', '--format', 'json']);
    const report = JSON.parse(json.stdout) as {
      delivery: { id: string };
      kpi: { success: number };
      rows: { email: string; status: string; attempts: number; reason: string | null }[];
    };
    expect(report.delivery.id).toBe('1');
    expect(report.kpi.success).toBe(4);
    expect(report.rows.map((r) => [r.email, r.status])).toEqual([
      ['ok.ann@example.test', 'sent'],
      ['ok.bob@example.test', 'sent'],
      ['grey.cid@example.test', 'sent'],
      ['unknown.dan@example.test', 'failed'],
      ['OK.ANN@example.test', 'ignored'],
      ['', 'ignored'],
      ['ok.eve@other.test', 'sent'],
    ]);
    expect(report.rows.find((r) => r.email === 'grey.cid@example.test')?.attempts).toBe(2);

    const out = path.join(tmp.dir, 'report.csv');
    const csv = await relaydeck([
      'report',
      '--data',
      data,
      '--delivery',
      '1',
      '--format',
      'csv',
      '--out',
      out,
    ]);
    expect(csv.stdout).toBe('');
    const text = fs.readFileSync(out, 'utf8');
    expect(text.startsWith('\ufeffKPI,value\n')).toBe(true);
    expect(text).toContain('Success,4\n');
    expect(text).toMatch(
      /\nemail,status,status_label,failure_type,reason,reason_code,bounce_class,attempts,/,
    );
    expect(text).toMatch(
      /\nunknown\.dan@example\.test,failed,Failed,Hard,user_unknown,1,\d*,1,[^\n]*550 5\.1\.1/,
    );
  });
});

describe('relaydeck usage errors', () => {
  it('exits 2 with one line naming the problem', async () => {
    const err = (await relaydeck(['deliver', '--recipients', 'list.csv']).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(2);
    expect(err.stderr.split('\n')[0]).toBe('relaydeck deliver: missing required option --message');
  });

  it('exits 1 on a missing file and on an unknown delivery, without a stack trace', async () => {
    const missing = (await relaydeck([
      'deliver',
      '--recipients',
      'nope.csv',
      '--message',
      'news.eml',
      '--data',
      path.join(tmp.dir, 'd2'),
    ]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('relaydeck deliver: Cannot read the recipient list nope.csv (ENOENT)\n');
    const unknown = (await relaydeck([
      'report',
      '--delivery',
      '99',
      '--format',
      'json',
      '--data',
      path.join(tmp.dir, 'd2'),
    ]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('relaydeck report: Delivery 99 does not exist\n');
  });
});
