/**
 * Accuracy on the fixture corpus (issue 4 item 7): every fixture is listed in manifest.json with its expected
 * recipients, type and reason; the qualifier must find the exact set of failed recipients in >= 98 % of messages and get
 * the type right in >= 95 % and the reason right in >= 90 % of messages, overall. The figures by source are
 * printed (with the shared corpus's) by `npm run eval:bounces`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/main/engine/bounce';
import { qualifyPaths, type QualifyLine } from '../../src/main/node/commands/qualify';

const DIR = path.resolve(__dirname, '../fixtures/bounces');

interface Fixture {
  file: string;
  source: string;
  kind: string;
  recipients: string[];
  type: string;
  reason: string;
}
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as {
  fixtures: Fixture[];
};

async function qualifyCorpus(): Promise<Map<string, QualifyLine>> {
  const lines = new Map<string, QualifyLine>();
  const errors: string[] = [];
  for await (const line of qualifyPaths([DIR], createClassifier(), (file) => errors.push(file)))
    lines.set(path.relative(DIR, line.file ?? ''), line);
  expect(errors).toEqual([]);
  return lines;
}

/** The exact set of failed recipients, compared case-insensitively. */
function sameSet(got: readonly string[], want: readonly string[]): boolean {
  const norm = (list: readonly string[]) => [...new Set(list.map((a) => a.toLowerCase()))].sort().join(',');
  return norm(got) === norm(want);
}

describe('bounce corpus', () => {
  it('lists every fixture file in the manifest, with more than one source', () => {
    const files = ['postfix', 'exim', 'sendmail', 'opensmtpd', 'dma', 'courier', 'written'].flatMap((d) =>
      fs.readdirSync(path.join(DIR, d)).map((f) => `${d}/${f}`),
    );
    expect(new Set(manifest.fixtures.map((f) => f.file))).toEqual(new Set(files));
    expect(new Set(manifest.fixtures.map((f) => f.source)).size).toBeGreaterThan(15);
  });

  it('stays at or above the accuracy targets', async () => {
    const lines = await qualifyCorpus();
    let bounces = 0;
    let found = 0;
    let type = 0;
    let reason = 0;
    const misses: string[] = [];
    for (const f of manifest.fixtures) {
      const line = lines.get(f.file);
      const recipientOk = sameSet(line?.recipients ?? [], f.recipients);
      bounces++;
      if (recipientOk) found++;
      if (line?.type === f.type) type++;
      if (line?.reason === f.reason) reason++;
      if (!recipientOk || line?.type !== f.type || line?.reason !== f.reason)
        misses.push(
          `${f.file}: expected ${f.recipients.join(',')} ${f.type}/${f.reason}, got ${JSON.stringify(line)}`,
        );
    }
    const n = manifest.fixtures.length;
    const figures = { recipient: found / bounces, type: type / n, reason: reason / n };
    expect(figures.recipient, misses.join('\n')).toBeGreaterThanOrEqual(0.98);
    expect(figures.type, misses.join('\n')).toBeGreaterThanOrEqual(0.95);
    expect(figures.reason, misses.join('\n')).toBeGreaterThanOrEqual(0.9);
  });

  it('recognises the kind of each message', async () => {
    const lines = await qualifyCorpus();
    const wrong = manifest.fixtures
      .filter((f) => lines.get(f.file)?.kind !== f.kind)
      .map((f) => `${f.file}: ${f.kind} != ${lines.get(f.file)?.kind}`);
    expect(wrong).toEqual([]);
  });
});
