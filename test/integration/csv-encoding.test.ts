/**
 * Issue 14.1: a Windows-1252 list (what Excel on Windows writes) goes through the API as bytes, is previewed
 * with its encoding detected, created and delivered to a real SMTP server on loopback: the message says
 * "Hello Zoë". The same for the quarantine import (API and CLI) and `relaydeck deliver --recipients`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main/app';
import { contract, type MethodName } from '../../src/shared/contract';
import { AppError } from '../../src/shared/contract/errors';
import { TEST_APP } from '../support/app-options';
import { buildCli, CLI } from '../support/cli-process';
import { startScriptedServer, type ScriptedServer } from '../support/engine-smtp-servers';
import { makeTempDir, type TempDir } from '../support/store-temp';

const run = promisify(execFile);
const ctx = { transport: 'http' as const };
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'csv');
const cp1252 = fs.readFileSync(path.join(FIXTURES, 'excel-cp1252.csv'));

let tmp: TempDir;
let app: App;
let smtp: ScriptedServer;

/** A call as the transports make it: the input parsed by the contract's schema, then the handler. */
async function call<M extends MethodName>(method: M, input: unknown) {
  const parsed = contract[method].input.parse(input);
  return (app.handlers[method] as (i: unknown, c: typeof ctx) => unknown)(parsed, ctx) as Promise<
    Awaited<ReturnType<(typeof app.handlers)[M]>>
  >;
}

beforeAll(async () => {
  buildCli();
  tmp = makeTempDir();
  smtp = await startScriptedServer({ starttls: false });
  app = await openApp({ ...TEST_APP, dataDir: path.join(tmp.dir, 'app'), sandbox: false });
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
  tmp?.remove();
});

const template = {
  fromName: 'Shop',
  fromAddress: 'news@shop.test',
  subject: 'For {{first_name}}',
  text: 'Hello {{first_name}} {{last_name}} from {{city}}: {{offer}}',
  html: '',
};

describe('a Windows-1252 list from Excel', () => {
  it('previews with its encoding detected, and is delivered with the names as written', async () => {
    const data = cp1252.toString('base64');
    const preview = await call('recipients.preview', { fileName: 'excel.csv', data });
    expect(preview.encoding).toEqual({
      detected: 'windows-1252',
      basis: 'detector',
      confidence: expect.any(Number),
      used: 'windows-1252',
    });
    expect(preview.rows[0]).toMatchObject({ first_name: 'Zoë', last_name: 'Saldaña', offer: '€ 5 off' });
    expect(preview.valid).toBe(5);

    const created = await call('deliveries.create', {
      name: 'Excel list',
      template,
      recipients: { fileName: 'excel.csv', data, encoding: preview.encoding?.used },
      routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: smtp.port } }],
      start: true,
    });
    expect(created.import).toMatchObject({ accepted: 5, errors: [], encoding: { used: 'windows-1252' } });
    await app.campaign.whenRelayed(Number(created.delivery.id));
    await app.engine.whenIdle();
    const delivered = await Promise.all(smtp.messages.map((m) => simpleParser(m.raw)));
    const zoe = delivered.find((m) => m.subject === 'For Zoë');
    expect(zoe?.text?.trim()).toBe('Hello Zoë Saldaña from Zürich: € 5 off');
    expect(delivered.map((m) => m.subject).sort()).toEqual(
      ['For Anders', 'For François', 'For Inês', 'For Jürgen', 'For Zoë'].sort(),
    );
    expect(delivered.find((m) => m.subject === 'For Jürgen')?.text).toContain('“Spring” sale');
    expect(delivered.some((m) => /\ufffd/.test(m.text ?? ''))).toBe(false);
  });

  it('read as UTF-8 on request, is refused naming its lines, and nothing is created', async () => {
    const before = (await call('deliveries.list', {})).items.length;
    const input = { fileName: 'excel.csv', data: cp1252.toString('base64'), encoding: 'utf-8' };
    const err = await call('recipients.preview', input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('csv_invalid');
    expect((err as AppError).message).toContain('excel.csv cannot be read as UTF-8: lines 2, 3, 4, 5, 6');
    expect((err as AppError).message).toContain('It looks like Windows-1252');
    const refused = await call('deliveries.create', {
      name: 'Excel list as UTF-8',
      template,
      recipients: input,
      routes: [{ mask: '*', target: { kind: 'smtp', host: '127.0.0.1', port: smtp.port } }],
    }).catch((e: unknown) => e);
    expect((refused as AppError).code).toBe('csv_invalid');
    expect((refused as AppError).details?.map((d) => d.line)).toEqual([2, 3, 4, 5, 6]);
    expect((await call('deliveries.list', {})).items.length).toBe(before);
  });

  it('imports a Windows-1252 quarantine file with its notes as written', async () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'quarantine-cp1252.csv'));
    const result = await call('quarantine.import', {
      fileName: 'quarantine.csv',
      data: bytes.toString('base64'),
    });
    expect(result).toMatchObject({ total: 2, imported: 2, encoding: { used: 'windows-1252' } });
    const page = await call('quarantine.list', { search: 'zoe@' });
    expect(page.items[0]?.note).toBe('Zoë asked “no more”');
  });
});

describe('the CLI', () => {
  it('relaydeck deliver prints the detected encoding and takes --encoding', async () => {
    const data = path.join(tmp.dir, 'cli');
    const message = path.join(tmp.dir, 'msg.eml');
    fs.writeFileSync(
      message,
      'From: Shop <news@shop.test>\r\nSubject: Hi\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello {{first_name}}\r\n',
    );
    const list = path.join(FIXTURES, 'excel-cp1252-iconv.csv');
    const args = ['deliver', '--recipients', list, '--message', message, '--data', data];
    const ok = await run(
      process.execPath,
      [CLI, ...args, '--route', `*=127.0.0.1:${smtp.port}`, '--name', 'cli'],
      { timeout: 120_000 },
    );
    expect(ok.stderr).toContain(
      'excel-cp1252-iconv.csv: encoding Windows-1252 (detected): the file is not UTF-8; the detector',
    );
    expect(ok.stdout).toMatch(/5 message\(s\) queued/);
    const refused = await run(process.execPath, [CLI, ...args, '--encoding', 'utf-8'], {
      timeout: 120_000,
    }).catch((e: { code: number; stderr: string }) => e);
    expect((refused as { code: number }).code).not.toBe(0);
    expect((refused as { stderr: string }).stderr).toContain(
      'excel-cp1252-iconv.csv cannot be read as UTF-8: lines 2, 3, 4, 5, 6',
    );
    const bad = await run(process.execPath, [CLI, ...args, '--encoding', 'klingon'], {
      timeout: 60_000,
    }).catch((e: { stderr: string }) => e);
    expect((bad as { stderr: string }).stderr).toContain('--encoding klingon: not an encoding');
  });

  it('relaydeck quarantine import reads a Windows-1252 file', async () => {
    const data = path.join(tmp.dir, 'cli-q');
    const file = path.join(FIXTURES, 'quarantine-cp1252.csv');
    const out = await run(process.execPath, [CLI, 'quarantine', 'import', '--file', file, '--data', data], {
      timeout: 60_000,
    });
    expect(out.stdout).toContain('encoding Windows-1252 (detected)');
    expect(out.stdout).toContain('2 of 2 row(s) imported');
    const listed = await run(process.execPath, [CLI, 'quarantine', 'list', '--json', '--data', data], {
      timeout: 60_000,
    });
    expect(listed.stdout).toContain('Zoë asked “no more”');
  });
});
