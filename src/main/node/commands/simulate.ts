/**
 * `relaydeck simulate`: one campaign against the sandbox's provider profiles under one to four scenarios, on a
 * virtual clock (src/main/simulate), recorded in the data dir (the console's Simulator shows it) and printed
 * side by side (or as JSON).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/contract/errors';
import { RulesDocument } from '../../../shared/contract/mta';
import {
  SandboxProfilesDocument,
  Scenario,
  type ScenarioResult,
  type Simulation,
} from '../../../shared/contract/simulation';
import { formatDuration, parseDuration } from '../../../shared/domain/duration';
import { REASONS, type ReasonId } from '../../../shared/domain/reasons';
import { openApp } from '../../app';
import { silentLogger } from '../../logger';
import { resolveDataDir } from '../data-dir';
import { CLI_APP, parseFlags, requireFlag, UsageError, type Command, type CommandIo } from './common';
import { readMessage } from './deliver';

const OPTIONS = {
  recipients: { type: 'string' },
  message: { type: 'string' },
  scenario: { type: 'string', multiple: true },
  name: { type: 'string' },
  from: { type: 'string' },
  seed: { type: 'string' },
  profiles: { type: 'string' },
  pdf: { type: 'string' },
  json: { type: 'boolean' },
  data: { type: 'string' },
} as const;

/**
 * A scenario file: the contract's `Scenario`, with the validity also as a duration (`"validity": "1d"`) and the
 * rules also as the path of a rules document (relative to the scenario file).
 */
const ScenarioFile = z
  .object({
    name: z.string(),
    validity: z.string().optional(),
    validityMs: z.number().optional(),
    reporting: z.string().optional(),
    recipientsPerTransaction: z.number().optional(),
    rules: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  })
  .strict();

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Simulate a campaign against the sandbox profiles under several scenarios and compare them',
  usage: `
Usage: relaydeck simulate --recipients FILE.csv --message FILE.eml --scenario A.json [--scenario B.json ...]

Runs the campaign against the sandbox's provider profiles (Gmail-like, Yahoo-like, Microsoft-like, a corporate
greylisting gateway, a dead domain, a tarpit, ...) once per scenario, each on a virtual clock: a 3.5-day validity
takes seconds, and the same seed gives the same figures. Prints the scenarios side by side; the simulation is
kept in the data directory (the console's Simulator page shows it).

A scenario file is JSON:
  { "name": "B: 1-day validity", "validity": "1d", "reporting": "efs",
    "recipientsPerTransaction": 1, "rules": "rules-b.json" }
Every field but "name" is optional: validity 3.5d, reporting efs, one recipient per transaction, and the rules
in force in the data directory. "rules" is a rules document (as "relaydeck rules export" writes it), inline or
the path of a file relative to the scenario file.

Options:
  --recipients FILE   the recipient list (CSV with an "email" column)
  --message FILE      the message (.eml: From, Subject, text and HTML bodies)
  --scenario FILE     a scenario (1 to 4)
  --name NAME         the simulation's name (default: the message file name)
  --from ADDR         From address, overriding the message's
  --seed N            seed of every random draw (default: the profiles' seed)
  --profiles FILE     provider profiles exported from the console (default: the data directory's)
  --pdf FILE          also write the comparison as a PDF (headless Chromium)
  --json              print the simulation as one JSON object
  --data DIR          data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help          show this help`,
  async run(argv, io) {
    const flags = parseFlags(this, argv, OPTIONS, io);
    if (!flags) return 0;
    const recipientsFile = requireFlag(flags.recipients, 'recipients');
    const messageFile = requireFlag(flags.message, 'message');
    const scenarioFiles = flags.scenario ?? [];
    if (scenarioFiles.length === 0) throw new UsageError('give at least one --scenario FILE.json');
    if (scenarioFiles.length > 4) throw new UsageError(`at most 4 scenarios, got ${scenarioFiles.length}`);
    const scenarios = scenarioFiles.map(readScenario);
    const seed = flags.seed === undefined ? null : parseSeed(flags.seed);
    const profiles = flags.profiles === undefined ? null : readProfilesFile(flags.profiles);
    const csv = readFile(recipientsFile, 'recipient list');
    const template = await readMessage(messageFile, flags.from);

    const dataDir = resolveDataDir(flags.data);
    const app = await openApp({
      ...CLI_APP,
      dataDir,
      logger: silentLogger,
      engine: false,
      sandbox: false,
      inmail: false,
    });
    try {
      const progress = progressPrinter(io, scenarios);
      const unsubscribe = app.bus.subscribe((event, payload) => {
        if (event !== 'simulation.changed') return;
        const summary = app.simulations.list(20).find((s) => s.id === (payload as { id: string }).id);
        if (summary) progress(summary.progress);
      });
      const started = app.handlers['simulations.start'](
        {
          name: flags.name ?? path.basename(messageFile).replace(/\.eml$/i, ''),
          template,
          recipients: { fileName: path.basename(recipientsFile), csv },
          scenarios,
          profiles,
          seed,
        },
        { transport: 'ipc' },
      );
      const { id } = await started;
      await app.simulations.idle();
      app.bus.flush();
      unsubscribe();
      if (io.stderr.isTTY) io.stderr.write('\n');
      const simulation = app.simulations.get(id);
      if (simulation.state === 'failed')
        throw new AppError('internal', `simulation ${id} failed: ${simulation.error ?? ''}`);
      if (flags.pdf !== undefined) {
        const pdf = await app.reportPrinter.printSimulation(id);
        fs.writeFileSync(flags.pdf, pdf);
        io.stderr.write(`PDF written to ${flags.pdf}\n`);
      }
      io.stdout.write(flags.json ? `${JSON.stringify(simulation)}\n` : formatComparison(simulation));
      return 0;
    } finally {
      await app.close();
    }
  },
};

function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError(
      'invalid_input',
      `Cannot read the ${what} ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}

function readJson(file: string, what: string): unknown {
  const text = readFile(file, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_input', `${file}: not JSON (${(err as Error).message})`);
  }
}

/** The first problem of a zod parse, named by file and field. */
function problem(file: string, error: z.ZodError): AppError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'document';
  return new AppError('invalid_input', `${file}: ${where}: ${issue?.message ?? 'invalid'}`);
}

function readScenario(file: string): Scenario {
  const raw = ScenarioFile.safeParse(readJson(file, 'scenario'));
  if (!raw.success) throw problem(file, raw.error);
  const s = raw.data;
  let validityMs = s.validityMs;
  if (s.validity !== undefined) {
    try {
      validityMs = parseDuration(s.validity);
    } catch (err) {
      throw new AppError('invalid_input', `${file}: validity: ${(err as Error).message}`);
    }
  }
  let rules: unknown = null;
  if (typeof s.rules === 'string')
    rules = readJson(path.resolve(path.dirname(file), s.rules), 'rules document');
  else if (s.rules) rules = s.rules;
  if (rules !== null) {
    const parsed = RulesDocument.safeParse(rules);
    if (!parsed.success)
      throw problem(typeof s.rules === 'string' ? s.rules : `${file} (rules)`, parsed.error);
    rules = parsed.data;
  }
  const scenario = Scenario.safeParse({
    name: s.name,
    ...(validityMs !== undefined ? { validityMs } : {}),
    ...(s.reporting !== undefined ? { reporting: s.reporting } : {}),
    ...(s.recipientsPerTransaction !== undefined
      ? { recipientsPerTransaction: s.recipientsPerTransaction }
      : {}),
    rules,
  });
  if (!scenario.success) throw problem(file, scenario.error);
  return scenario.data;
}

/** A profiles document exported from the console (`--profiles FILE`), checked field by field. */
export function readProfilesFile(file: string): SandboxProfilesDocument {
  const parsed = SandboxProfilesDocument.safeParse(readJson(file, 'profiles document'));
  if (!parsed.success) throw problem(file, parsed.error);
  return parsed.data;
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1)
    throw new UsageError(`--seed must be a whole number from 0 to ${2 ** 31 - 1}, got "${value}"`);
  return n;
}

/** Progress on stderr: redrawn on a TTY, one line per scenario and quarter of its validity otherwise. */
function progressPrinter(io: CommandIo, scenarios: Scenario[]) {
  let last = '';
  return (p: Simulation['progress']) => {
    const scenario = scenarios[p.scenario];
    if (!scenario) return;
    const quarter = Math.min(4, Math.floor((p.simulatedMs / Math.max(1, p.validityMs)) * 4));
    const line = `scenario ${p.scenario + 1}/${scenarios.length} (${scenario.name}): ${formatDuration(p.simulatedMs)} of ${formatDuration(p.validityMs)} simulated`;
    if (io.stderr.isTTY) io.stderr.write(`\r${line}\u001b[K`);
    else {
      const key = `${p.scenario}:${quarter}`;
      if (key !== last) io.stderr.write(`${line}\n`);
      last = key;
    }
  };
}

const int = (n: number) => n.toLocaleString('en-US');
const pct = (n: number, of: number) => (of > 0 ? `${((n / of) * 100).toFixed(1)} %` : '–');

/** The scenarios side by side, as a text table. */
export function formatComparison(s: Simulation): string {
  const results = s.results;
  const label = 34;
  const width = Math.max(22, ...results.map((r) => r.scenario.name.length + 2));
  const row = (name: string, cells: string[]) =>
    `${name.padEnd(label)}${cells.map((c) => c.padStart(width)).join('')}`.trimEnd();
  const each = (f: (r: ScenarioResult) => string) => results.map(f);
  const lines = [
    `Simulation ${s.id} "${s.name}": ${int(s.recipients)} recipients of ${s.fileName}, seed ${s.seed}, real time ${formatDuration(s.realMs ?? 0)}`,
    '',
    row(
      '',
      each((r) => r.scenario.name),
    ),
    row(
      'Validity',
      each((r) => formatDuration(r.scenario.validityMs)),
    ),
    row(
      'Reporting',
      each((r) => r.scenario.reporting.toUpperCase()),
    ),
    row(
      'Figures final after',
      each((r) =>
        r.finalAfterMs === null
          ? `not after ${formatDuration(r.simulatedMs)}`
          : formatDuration(r.finalAfterMs),
      ),
    ),
    row(
      'Real time',
      each((r) => formatDuration(r.realMs)),
    ),
    '',
    row(
      'Processed',
      each((r) => int(r.delivery.kpi.processed)),
    ),
    row(
      'Delivered',
      each(
        (r) => `${int(r.delivery.kpi.success)} (${pct(r.delivery.kpi.success, r.delivery.kpi.processed)})`,
      ),
    ),
    row(
      'Failed',
      each((r) => int(r.delivery.kpi.errors)),
    ),
    row(
      '  hard bounces',
      each((r) => int(r.delivery.kpi.hardBounces)),
    ),
    row(
      '  soft bounces',
      each((r) => int(r.delivery.kpi.softBounces)),
    ),
    row(
      '  expired while retried',
      each((r) => int(r.expired)),
    ),
    row(
      'Still in progress',
      each((r) => int(r.delivery.inMta)),
    ),
    row(
      'Attempts (deferred)',
      each((r) => `${int(r.attempts)} (${int(r.deferredAttempts)})`),
    ),
    row(
      'Quarantined',
      each((r) => int(r.quarantines.reduce((n, q) => n + q.count, 0))),
    ),
    row(
      'Shaping events',
      each((r) => int(r.shaping.reduce((n, e) => n + e.count, 0))),
    ),
  ];
  const reasons = [...new Set(results.flatMap((r) => r.reasons.map((x) => x.reason)))];
  if (reasons.length > 0) {
    lines.push('', 'Failures by reason');
    for (const reason of reasons)
      lines.push(
        row(
          `  ${REASONS[reason as ReasonId]?.label ?? reason}`,
          each((r) => int(r.reasons.find((x) => x.reason === reason)?.total ?? 0)),
        ),
      );
  }
  const domains = [...new Set(results.flatMap((r) => r.domains.map((d) => d.domain)))].filter(
    (d) => d !== '',
  );
  if (domains.length > 0) {
    lines.push('', 'Delivered by domain');
    for (const domain of domains)
      lines.push(
        row(
          `  ${domain}`,
          each((r) => {
            const d = r.domains.find((x) => x.domain === domain);
            return d ? `${int(d.delivered)}/${int(d.total)} (${pct(d.delivered, d.processed)})` : '–';
          }),
        ),
      );
  }
  return `${lines.join('\n')}\n`;
}
