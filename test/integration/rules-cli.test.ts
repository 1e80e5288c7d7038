/**
 * `relaydeck rules export|import|reset` through the built CLI: canonical, byte-identical exports; an import
 * round trip; bad files refused with every problem's JSON path (or line:column), exit code 1 and nothing saved;
 * an import seen by an engine already running on the data dir (another process), without a restart.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../src/main/engine';
import { ManualClock } from '../../src/main/clock';
import { createSmtpRelayFactory } from '../../src/main/engine/relay/smtp-relay';
import { DEFAULT_RULES } from '../../src/main/defaults/mx-rules';
import { openDatabase } from '../../src/main/store/db';
import { REVISIONS_CHECK_MS } from '../../src/main/store/revision-watcher';
import { formatRulesJson } from '../../src/shared/contract/rules-json';
import type { RulesDocument } from '../../src/shared/contract/mta';
import { makeTempDir, type TempDir } from '../support/store-temp';
import { captureLogger } from '../support/api-test-logger';
import { logByEmail, recordingNotifier, relayedDelivery, engineStorePorts } from '../support/engine-fixtures';
import { noDns } from '../support/dns-fixtures';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'out/main/cli.cjs');
const execFileAsync = promisify(execFile);
let tmp: TempDir;
let data: string;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--main-only'], { cwd: root, stdio: 'pipe' });
  tmp = makeTempDir();
  data = path.join(tmp.dir, 'data');
});
afterAll(() => tmp?.remove());

async function relaydeck(
  args: string[],
  dataDir = data,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [cli, 'rules', ...args, '--data', dataDir],
      {
        cwd: tmp.dir,
        timeout: 45_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const file = (name: string, text: string) => {
  const p = path.join(tmp.dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('relaydeck rules', () => {
  it('exports the defaults canonically, byte-identical to stdout and to a file', async () => {
    const stdout = await relaydeck(['export']);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toBe(formatRulesJson(DEFAULT_RULES));
    const out = path.join(tmp.dir, 'export.json');
    expect((await relaydeck(['export', '--out', out])).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(stdout.stdout);
  });

  it('imports an edited file, and exports it back byte for byte', async () => {
    const doc = JSON.parse(formatRulesJson(DEFAULT_RULES)) as RulesDocument;
    doc.mxRules[0]!.messagesPerHour = 777;
    doc.automationRules.pop();
    const text = formatRulesJson(doc);
    const result = await relaydeck(['import', file('edited.json', text)]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      new RegExp(
        `^Imported ${doc.mxRules.length} MX rules, ${doc.automationRules.length} automation rules from `,
      ),
    );
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect((await relaydeck(['export'])).stdout).toBe(text);
  });

  it('refuses a bad file with every problem and its path, exit code 1, nothing saved', async () => {
    const before = (await relaydeck(['export'])).stdout;
    const doc = JSON.parse(before) as RulesDocument;
    doc.mxRules[3]!.match.mask = 'bad mask!';
    doc.mxRules[2]!.id = doc.mxRules[1]!.id;
    doc.automationRules[0]!.pattern = '(unclosed';
    const result = await relaydeck(['import', file('bad.json', JSON.stringify(doc, null, 2))]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('bad.json is not a valid rules document (3 problems); nothing was saved');
    expect(result.stderr).toContain(
      'bad.json: mxRules.3.match.mask: Mask must be a host or domain, or a mask like *.google.com or *',
    );
    expect(result.stderr).toContain(`bad.json: mxRules.2.id: duplicate id "${doc.mxRules[1]!.id}"`);
    expect(result.stderr).toContain('bad.json: automationRules.0.pattern: does not compile');
    expect((await relaydeck(['export'])).stdout).toBe(before);
  });

  it('refuses catastrophic patterns (ReDoS) with the rule field and why, exit code 1, nothing saved', async () => {
    const before = (await relaydeck(['export'])).stdout;
    const doc = JSON.parse(before) as RulesDocument;
    const classics = ['(a+)+$', '(a|a)*$', '(a|aa)+$', '(.*a){20}', '([a-z0-9]+)*@'];
    classics.forEach((pattern, i) => (doc.automationRules[i]!.pattern = pattern));
    const result = await relaydeck(['import', file('redos.json', JSON.stringify(doc, null, 2))]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`redos.json is not a valid rules document (${classics.length} problems)`);
    classics.forEach((_, i) =>
      expect(result.stderr).toMatch(
        new RegExp(`redos\\.json: automationRules\\.${i}\\.pattern: may take (exponential|polynomial) time`),
      ),
    );
    expect((await relaydeck(['export'])).stdout).toBe(before);
    // A safe complex pattern is still imported.
    const safe = JSON.parse(before) as RulesDocument;
    safe.automationRules[0]!.pattern = String.raw`\[TS0[1-4]\]|4\.7\.28 .{0,80}rate|\(S3150\)(?! test)`;
    expect((await relaydeck(['import', file('safe.json', JSON.stringify(safe, null, 2))])).code).toBe(0);
    expect((await relaydeck(['reset'])).code).toBe(0);
  });

  it('points at the line and column of a JSON syntax error', async () => {
    const result = await relaydeck(['import', file('syntax.json', '{\n  "format": "relaydeck-rules",\n}\n')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/syntax\.json:3:1: not valid JSON/);
  });

  it('resets to the defaults, and reports usage errors with exit code 2', async () => {
    const reset = await relaydeck(['reset']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/^Restored the default rules \(\d+ MX rules, \d+ automation rules\)/);
    expect((await relaydeck(['export'])).stdout).toBe(formatRulesJson(DEFAULT_RULES));

    expect((await relaydeck(['import'])).code).toBe(2);
    expect((await relaydeck(['frobnicate'])).code).toBe(2);
    expect((await relaydeck(['export', '--bogus'])).code).toBe(2);
    const missing = await relaydeck(['import', path.join(tmp.dir, 'missing.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  });
});

describe('relaydeck rules import next to a running engine', () => {
  it('the engine applies the imported rules to its next messages, without a restart, and logs it', async () => {
    // A receiving server without STARTTLS: the loopback rule's TLS policy decides whether mail goes out.
    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const live = path.join(tmp.dir, 'live');
    fs.mkdirSync(live);
    const db = openDatabase(path.join(live, 'relaydeck.sqlite'));
    const clock = new ManualClock();
    const logger = captureLogger();
    const engine = createEngine({
      clock,
      dns: noDns,
      relayFactory: createSmtpRelayFactory({ clock }),
      ...engineStorePorts(db, clock),
      logger,
      notify: recordingNotifier(),
      defaultRoute: () => null,
      sandboxAddress: () => null,
      options: { feedbackFlushMs: 0 },
    });
    const send = (to: string) => {
      const { deliveryId } = relayedDelivery(db, [to], {
        now: clock.now(),
        routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port } }],
      });
      engine.wake();
      return deliveryId;
    };
    try {
      engine.start();
      send('before@example.com');
      await vi.waitFor(() => expect(received).toEqual(['before@example.com']));

      const doc = JSON.parse(formatRulesJson(DEFAULT_RULES)) as RulesDocument;
      const loopback = doc.mxRules.find((r) => r.id === 'loopback')!;
      expect(loopback.tls).toBe('opportunistic');
      loopback.tls = 'required';
      const imported = await relaydeck(['import', file('tls-required.json', formatRulesJson(doc))], live);
      expect(imported).toMatchObject({ code: 0, stderr: '' });

      clock.advance(REVISIONS_CHECK_MS);
      const after = send('after@example.com');
      await vi.waitFor(() => expect(logByEmail(db, after, 'after@example.com').attempts).toBe(1), {
        timeout: 5_000,
      });
      expect(logByEmail(db, after, 'after@example.com').last_reply).toMatch(
        /TLS required by MX rule "loopback".*nothing was sent/,
      );
      expect(received).toEqual(['before@example.com']);
      expect(logger.records.map((r) => r.msg)).toContain(
        'rules changed in the store by another process: reloaded',
      );
    } finally {
      await engine.stop();
      db.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
