#!/usr/bin/env node
/**
 * `npm run eval:bounces` (dev-only, not part of `npm test`): how well `relaydeck qualify --json` qualifies
 * bounces, on two corpora scored separately:
 *
 * - `../shared/bounce-corpus` (real bounces of many MTAs, labelled by SPEC §4.1; read in place, never copied
 *   into the project: its README says why). Skipped with a message when the folder is not there.
 * - `test/fixtures/bounces` (the project's own fixtures: genuine DSNs of real MTAs run on loopback, and
 *   messages written from the providers' documented formats), scored against its `manifest.json`.
 *
 * - `test/fixtures/bounces/blind` to `blind5` (208, 231, 280, 234 and 232 emails written
 *   from the formats of many MTAs, gateways and providers by authors who had not seen the parser or the
 *   rules, labelled in `labels.jsonl` like the shared corpus). Their first scores measured generalisation;
 *   misses they showed were then fixed by general means, so they are no longer blind.
 *
 * For each: recipient accuracy (the exact set of failed recipients), type and reason accuracy, the type and
 * reason confusion matrices, figures by MTA / source, and every miss. It runs the built CLI, so it measures
 * exactly what an analyst (or an independent evaluation) gets.
 *
 *   npm run eval:bounces                       # both corpora, with misses
 *   npm run eval:bounces -- --quiet            # figures and matrices only
 *   npm run eval:bounces -- --markdown         # the summary table for docs/benchmarks.md
 *   npm run eval:bounces -- --corpus DIR       # another corpus laid out like the shared one
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'out/main/cli.cjs');
const FIXTURES = path.join(ROOT, 'test/fixtures/bounces');

const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const markdown = args.includes('--markdown');
const corpusArg = args.indexOf('--corpus');
const SHARED = path.resolve(
  ROOT,
  corpusArg >= 0 && args[corpusArg + 1] ? args[corpusArg + 1] : '../shared/bounce-corpus',
);

if (!fs.existsSync(CLI)) {
  console.error(
    `eval:bounces: ${path.relative(ROOT, CLI)} is missing; run "node scripts/build.mjs --main-only"`,
  );
  process.exit(2);
}

/** One expected answer per line of a `labels.jsonl` (the shared corpus's format), or null when it is missing. */
function labelledCases(labels) {
  if (!fs.existsSync(labels)) return null;
  return fs
    .readFileSync(labels, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .map((l) => ({
      file: l.file,
      recipients: l.recipients ?? [],
      type: l.type,
      reason: l.reason,
      group: l.mta ?? '(unknown)',
      kind: l.kind,
    }));
}

function fixtureCases() {
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8'));
  return manifest.fixtures.map((f) => ({
    file: f.file,
    recipients: f.recipients,
    type: f.type,
    reason: f.reason,
    group: f.source,
    kind: f.kind,
  }));
}

/** Runs `relaydeck qualify --json DIR` once and indexes its lines by path relative to DIR. */
function qualify(dir) {
  const started = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [CLI, 'qualify', '--json', dir], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const lines = new Map();
  for (const text of out.toString().split('\n')) {
    if (text.trim() === '') continue;
    const line = JSON.parse(text);
    lines.set(path.relative(dir, line.file).split(path.sep).join('/'), line);
  }
  return { lines, ms };
}

const setOf = (list) => [...new Set((list ?? []).map((a) => a.toLowerCase()))].sort().join(', ');

function score(name, cases, dir) {
  const { lines, ms } = qualify(dir);
  const total = { n: 0, recipient: 0, type: 0, reason: 0 };
  const groups = new Map();
  const typeMatrix = new Map();
  const reasonMatrix = new Map();
  const misses = [];
  for (const c of cases) {
    const got = lines.get(c.file);
    const want = setOf(c.recipients);
    const have = setOf(got?.recipients);
    const ok = { recipient: want === have, type: got?.type === c.type, reason: got?.reason === c.reason };
    const g = groups.get(c.group) ?? { n: 0, recipient: 0, type: 0, reason: 0 };
    groups.set(c.group, g);
    for (const t of [total, g]) {
      t.n++;
      for (const k of ['recipient', 'type', 'reason']) if (ok[k]) t[k]++;
    }
    count(typeMatrix, c.type, got?.type ?? '(missing)');
    count(reasonMatrix, c.reason, got?.reason ?? '(missing)');
    if (!ok.recipient || !ok.type || !ok.reason) misses.push({ c, got, want, have, ok });
  }
  return { name, total, groups, typeMatrix, reasonMatrix, misses, ms };
}

function count(matrix, row, col) {
  const r = matrix.get(row) ?? new Map();
  matrix.set(row, r);
  r.set(col, (r.get(col) ?? 0) + 1);
}

const pct = (a, n) => (n === 0 ? '—' : `${((100 * a) / n).toFixed(1)} %`);

function printMatrix(title, matrix) {
  const cols = [...new Set([...matrix.values()].flatMap((r) => [...r.keys()]))].sort();
  const rows = [...matrix.keys()].sort();
  const width = Math.max(12, ...rows.map((r) => r.length)) + 1;
  const cw = Math.max(...cols.map((c) => c.length), 4) + 1;
  console.log(`\n${title} (rows: expected, columns: got)`);
  console.log(`${''.padEnd(width)}${cols.map((c) => c.padStart(cw)).join('')}`);
  for (const r of rows)
    console.log(
      `${r.padEnd(width)}${cols.map((c) => String(matrix.get(r).get(c) ?? '.').padStart(cw)).join('')}`,
    );
}

function print(result) {
  const { name, total, groups, misses, ms } = result;
  console.log(
    `\n=== ${name}: ${total.n} messages, qualified in ${ms.toFixed(0)} ms (process start included)`,
  );
  console.log(
    `recipient ${pct(total.recipient, total.n)} · type ${pct(total.type, total.n)} · reason ${pct(total.reason, total.n)}`,
  );
  printMatrix('Type', result.typeMatrix);
  printMatrix('Reason', result.reasonMatrix);
  console.log('\nBy group (recipient / type / reason):');
  for (const [g, t] of [...groups].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0])))
    console.log(
      `  ${g.padEnd(28)} ${String(t.n).padStart(4)}  ${pct(t.recipient, t.n).padStart(8)} ${pct(t.type, t.n).padStart(8)} ${pct(t.reason, t.n).padStart(8)}`,
    );
  if (quiet) return;
  console.log(`\nMisses (${misses.length}; flags: recipient type reason):`);
  for (const m of misses) {
    const flags = ['recipient', 'type', 'reason'].map((k) => (m.ok[k] ? '.' : 'x')).join('');
    console.log(
      `  ${flags} ${m.c.file} [${m.c.group}]\n      want ${m.want || '(none)'} ${m.c.type}/${m.c.reason}\n      got  ${m.have || '(none)'} ${m.got?.type}/${m.got?.reason} rule=${m.got?.rule} kind=${m.got?.kind}`,
    );
  }
}

const results = [];
const shared = labelledCases(path.join(SHARED, 'labels.jsonl'));
if (shared)
  results.push(score(`shared corpus (${path.relative(ROOT, SHARED)})`, shared, path.join(SHARED, 'emails')));
else console.log(`eval:bounces: ${SHARED} not found; the shared corpus is skipped`);
results.push(score('project fixtures (test/fixtures/bounces)', fixtureCases(), FIXTURES));
for (const name of ['blind', 'blind2', 'blind3', 'blind4', 'blind5']) {
  const dir = path.join(FIXTURES, name);
  results.push(
    score(`${name} set (test/fixtures/bounces/${name})`, labelledCases(path.join(dir, 'labels.jsonl')), dir),
  );
}

if (markdown) {
  console.log('| Corpus | Messages | Recipients (exact set) | Type | Reason |');
  console.log('|---|---:|---:|---:|---:|');
  for (const { name, total } of results)
    console.log(
      `| ${name} | ${total.n} | ${pct(total.recipient, total.n)} | ${pct(total.type, total.n)} | ${pct(total.reason, total.n)} |`,
    );
} else results.forEach(print);
