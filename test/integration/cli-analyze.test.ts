/**
 * `relaydeck analyze` (the built CLI) against a DNS server on 127.0.0.1 (`--dns-server`): the sender domain
 * publishes its DKIM key (generated through the API), SPF and DMARC; the message has no List-Unsubscribe (an
 * error). `--json` prints the contract's AnalysisReport, the text output groups checks by area with marks, and
 * the exit code is 1 when a check is an error, 2 on bad usage.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Answer, Question } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../../src/main/app';
import { AnalysisReport } from '../../src/shared/contract/analysis';
import { splitTxtStrings } from '../../src/shared/domain/dkim';
import { TEST_APP } from '../support/app-options';
import { startDnsServer, type DnsReply, type DnsServer } from '../support/dns-server';
import { makeTempDir, type TempDir } from '../support/store-temp';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'out/main/cli.cjs');
const exec = promisify(execFile);
let tmp: TempDir;
let dns: DnsServer;
let data: string;

const TXT: Record<string, string> = {
  'shop.example': 'v=spf1 ip4:127.0.0.0/8 ~all',
  '_dmarc.shop.example': 'v=DMARC1; p=reject',
};

function reply(q: Question): DnsReply {
  const name = q.name.toLowerCase();
  if (q.type === 'TXT' && TXT[name])
    return { answers: [{ type: 'TXT', name: q.name, ttl: 300, data: splitTxtStrings(TXT[name]) } as Answer] };
  if (q.type === 'MX' && name === 'shop.example')
    return {
      answers: [
        {
          type: 'MX',
          name: q.name,
          ttl: 300,
          data: { preference: 10, exchange: 'mx.shop.example' },
        } as Answer,
      ],
    };
  return name.endsWith('shop.example') ? { answers: [] } : { rcode: 'NXDOMAIN' };
}

const run = (args: string[]) =>
  exec(process.execPath, [cli, 'analyze', '--data', data, '--dns-server', dns.address, ...args], {
    cwd: tmp.dir,
    timeout: 45_000,
    env: { ...process.env, RELAYDECK_DATA: '' },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'pipe' });
  tmp = makeTempDir();
  data = path.join(tmp.dir, 'data');
  dns = await startDnsServer(reply);
  const app = await openApp({ ...TEST_APP, dataDir: data, engine: false, sandbox: false });
  try {
    const key = await app.handlers['dkim.generate'](
      { domain: 'shop.example', selector: 's1', algorithm: 'rsa-sha256', bits: 2048 },
      { transport: 'ipc' },
    );
    TXT[key.dnsName] = key.txtRecord;
  } finally {
    await app.close();
  }
  fs.writeFileSync(
    path.join(tmp.dir, 'list.csv'),
    'email,first_name\nann@shop.example,Ann\ninfo@shop.example,Info\n',
  );
  fs.writeFileSync(
    path.join(tmp.dir, 'msg.eml'),
    'From: Shop <news@shop.example>\r\nSubject: Hello {{first_name}}\r\nContent-Type: text/plain\r\n\r\nHello {{first_name}}\r\n',
  );
}, 120_000);
afterAll(async () => {
  await dns?.close();
  tmp?.remove();
});

describe('relaydeck analyze', () => {
  it('prints the AnalysisReport as JSON and exits 1 when a check is an error', async () => {
    const r = await run([
      '--recipients',
      'list.csv',
      '--message',
      'msg.eml',
      '--route',
      '*=sandbox',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const report = AnalysisReport.parse(JSON.parse(r.stdout));
    const result = (id: string) => report.checks.find((c) => c.id === id)?.result;
    expect(result('dkim.key')).toBe('pass');
    expect(result('dkim.dns.s1.rsa')).toBe('pass');
    expect(result('spf.record')).toBe('pass');
    expect(result('message.unsubscribe')).toBe('error');
    expect(result('recipients.roles')).toBe('warning'); // info@
    expect(report.counts.error).toBeGreaterThan(0);
    // Every lookup went to the server on loopback.
    expect(dns.queries).toContainEqual(
      expect.objectContaining({ type: 'TXT', name: 's1._domainkey.shop.example' }),
    );
  }, 60_000);

  it('prints the checks grouped by area with marks, fixes and the summary line', async () => {
    const r = await run(['--recipients', 'list.csv', '--message', 'msg.eml', '--route', '*=sandbox']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^Pre-send analysis: \d+ errors?, \d+ warnings?, \d+ passed, \d+ for information\n/,
    );
    const areas = ['Authentication (DKIM, SPF, DMARC)', 'Message', 'Recipients', 'Delivery settings'];
    const at = areas.map((a) => r.stdout.indexOf(`\n${a}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(r.stdout).toContain('  ✗ No List-Unsubscribe header (Error)\n');
    expect(r.stdout).toMatch(/\n {6}Fix: Add List-Unsubscribe/);
    expect(r.stdout).toMatch(/\n {2}✓ Signed by shop\.example: selector s1/);
  }, 60_000);

  it('exits 2 naming a missing option', async () => {
    const r = await run(['--recipients', 'list.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('relaydeck analyze: missing required option --message');
  });
});
