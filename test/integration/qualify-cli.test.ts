/**
 * `relaydeck qualify` in process: files, directories, mbox (PATH#N), --reply, the table output and usage
 * errors. The corpus figures are in bounce-corpus.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main/node/cli';
import type { QualifyLine } from '../../src/main/node/commands/qualify';
import { makeTempDir, type TempDir } from '../support/store-temp';

const FIXTURES = path.resolve(__dirname, '../fixtures/bounces');

function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

async function qualify(args: string[]) {
  const out = collector();
  const err = collector();
  const code = await main(['qualify', ...args], { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

const jsonLines = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as QualifyLine);

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.remove());

describe('relaydeck qualify', () => {
  it('qualifies one SMTP reply', async () => {
    const r = await qualify(['--json', '--reply', '550 5.1.1 <a@example.com>: user unknown']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([
      {
        file: null,
        recipients: [],
        status: '5.1.1',
        code: 550,
        type: 'hard',
        reason: 'user_unknown',
        class: 10,
        rule: 'user-unknown',
        kind: 'reply',
        why: 'rule "user-unknown" (The recipient does not exist: Postfix, Sendmail, Exim, Exchange, qmail, Courier, Dovecot, IMail and provider wording (English)): the reply says "user unknown"',
      },
    ]);
  });

  it('gives each recipient of a multi-recipient bounce its own verdict in details', async () => {
    const r = await qualify(['--json', path.join(FIXTURES, 'postfix/two-unknown.eml')]);
    const [line] = jsonLines(r.stdout);
    expect(line?.recipients).toHaveLength(2);
    expect(line?.details?.map((d) => [d.recipient, d.reason, d.type])).toEqual(
      line?.recipients.map((rcpt) => [rcpt, 'user_unknown', 'hard']),
    );
    expect(line?.details?.every((d) => d.why.startsWith('rule "'))).toBe(true);
  });

  it('qualifies .eml files and directories recursively, one JSON line per message', async () => {
    const file = path.join(FIXTURES, 'postfix/postfix-user-unknown.eml');
    const r = await qualify(['--json', file, path.join(FIXTURES, 'written')]);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines[0]).toMatchObject({
      file,
      recipients: ['postfix-user-unknown@dest.test'],
      status: '5.1.1',
      code: 550,
      type: 'hard',
      reason: 'user_unknown',
      class: 10,
      kind: 'dsn',
    });
    const written = fs.readdirSync(path.join(FIXTURES, 'written')).filter((f) => f.endsWith('.eml'));
    expect(lines).toHaveLength(1 + written.length);
  });

  it('reads an mbox as PATH#N, undoing >From quoting', async () => {
    const a = fs.readFileSync(path.join(FIXTURES, 'written/qmail-unknown.eml'), 'latin1');
    const b = fs.readFileSync(path.join(FIXTURES, 'written/arf-yahoo.eml'), 'latin1');
    const mbox = path.join(tmp.dir, 'bounces.mbox');
    const quoted = a.replace('Hi. This is', '>From the daemon\r\nHi. This is');
    fs.writeFileSync(
      mbox,
      `From MAILER-DAEMON Tue Apr  2 09:05:00 2024\n${quoted}\nFrom feedback Tue Apr  2 10:00:00 2024\n${b}\n`,
      'latin1',
    );
    const r = await qualify(['--json', mbox]);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => [l.file, l.kind, l.recipients, l.reason])).toEqual([
      [`${mbox}#1`, 'bounce_nonstandard', ['gone@qmail.test'], 'user_unknown'],
      [`${mbox}#2`, 'arf', ['complainer@yahoo.com'], 'refused'],
    ]);
  });

  it('prints a table without --json', async () => {
    const r = await qualify(['--reply', '452 4.2.2 Mailbox full']);
    expect(r.stdout.split('\n')[0]).toMatch(/^FILE\tKIND\tRECIPIENTS\tSTATUS/);
    expect(r.stdout.split('\n')[1]).toBe(
      '-\treply\t-\t4.2.2\t452\tsoft\tmailbox_full\t22\tmailbox-full\trule "mailbox-full" (Mailbox full or over quota (English)): the reply says "Mailbox full"',
    );
  });

  it('refuses a missing path or no argument (exit 2); walks into directories whatever their name', async () => {
    expect((await qualify(['--json'])).code).toBe(2);
    const missing = await qualify([path.join(tmp.dir, 'nope.eml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file or directory/);
    const unreadable = path.join(tmp.dir, 'dir.eml');
    fs.mkdirSync(path.join(unreadable, 'x.eml'), { recursive: true });
    fs.writeFileSync(path.join(tmp.dir, 'ok.eml'), 'Subject: hi\r\n\r\nhello\r\n');
    const r = await qualify(['--json', tmp.dir]);
    // dir.eml/ is walked into, not read as a file; the plain message is "unknown".
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((l) => l.kind)).toEqual(['unknown']);
  });
});
