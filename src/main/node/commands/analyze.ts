/**
 * `relaydeck analyze`: the pre-send delivery analysis (issue 15) of a recipient list and a message, as the
 * console's New delivery runs it before "Create and start": checks grouped by area with ✓ / ! / ✗ marks, or
 * the contract's AnalysisReport as JSON. Exit code 0 when no check is an error, 1 when one is (scripts can
 * gate a `relaydeck deliver` on it). Nothing is written to the data directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  AnalysisRunInput,
  CHECK_AREA_LABELS,
  CHECK_RESULT_LABELS,
  groupChecks,
  type AnalysisReport,
  type CheckResult,
} from '../../../shared/contract/analysis';
import { AppError } from '../../../shared/contract/errors';
import { systemClock } from '../../clock';
import { openApp } from '../../app';
import { silentLogger } from '../../logger';
import { createDnsResolver } from '../../engine/relay/node-dns';
import { resolveDataDir } from '../data-dir';
import { CLI_APP, parseFlags, parseHostPort, requireFlag, type Command } from './common';
import { parseReporting, parseRoute, parseValidity, readMessage } from './deliver';
import { ENCODING_USAGE, encodingFlag } from './encoding-flag';

const OPTIONS = {
  recipients: { type: 'string' },
  encoding: { type: 'string' },
  message: { type: 'string' },
  from: { type: 'string' },
  route: { type: 'string', multiple: true },
  smarthost: { type: 'string' },
  validity: { type: 'string' },
  reporting: { type: 'string' },
  'dns-server': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  data: { type: 'string' },
} as const;

const MARK: Record<CheckResult, string> = { pass: '✓', info: 'i', warning: '!', error: '✗' };

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'Pre-send analysis of a delivery: DKIM, SPF, DMARC, the message, the recipients, the settings',
  usage: `
Usage: relaydeck analyze --recipients FILE.csv --message FILE.eml [options]

Runs the pre-send delivery analysis that the console runs before "Create and start": DKIM (a key for the
From domain, published and matching), SPF for the return-path domain, DMARC alignment, List-Unsubscribe
one-click, the message (size, text part, links, empty fields), the recipients (exclusions, role accounts,
domains without MX, typos) and the settings (validity, reporting mode, route). Each check is printed with
✓ (pass), i (information), ! (warning) or ✗ (error), what was found and how to fix it. Nothing is written.

Exit code: 0 when no check is an error (warnings allowed), 1 when at least one is, 2 on bad usage.

Options:
  --recipients FILE        the recipient list (CSV), as for relaydeck deliver
  --encoding NAME          ${ENCODING_USAGE}
  --message FILE           the message template (.eml)
  --from ADDR              From address, overriding the message's
  --route DOMAIN=HOST:PORT route a domain or mask (repeatable), as for relaydeck deliver
  --smarthost HOST:PORT    send every domain no route matches through this server
  --validity DURATION      delivery validity, e.g. 6h, 3.5d (default 5d; the MTA honours 3.5d)
  --reporting efs|classic  reporting mode (default efs)
  --dns-server HOST:PORT   ask this DNS server (repeatable) instead of the system's (tests, offline machines)
  --json                   print the analysis as one JSON object (the API's AnalysisReport)
  --data DIR               data directory: its DKIM keys, quarantine and default route
  -h, --help               show this help`,
  async run(argv, io) {
    const flags = parseFlags(this, argv, OPTIONS, io);
    if (!flags) return 0;
    const recipientsFile = requireFlag(flags.recipients, 'recipients');
    const messageFile = requireFlag(flags.message, 'message');
    const encoding = encodingFlag(flags.encoding);
    const routes = (flags.route ?? []).map(parseRoute);
    const smarthost = flags.smarthost === undefined ? null : parseHostPort(flags.smarthost, 'smarthost');
    const reporting = parseReporting(flags.reporting);
    const validityMs = flags.validity === undefined ? undefined : parseValidity(flags.validity);
    const servers = (flags['dns-server'] ?? []).map((s) => {
      const hp = parseHostPort(s, 'dns-server');
      return `${hp.host}:${hp.port}`;
    });
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(recipientsFile);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new AppError(
        'csv_invalid',
        `Cannot read the recipient list ${recipientsFile}${code ? ` (${code})` : ''}`,
      );
    }
    const template = await readMessage(messageFile, flags.from);
    const parsed = AnalysisRunInput.safeParse({
      template,
      recipients: {
        fileName: path.basename(recipientsFile),
        data: bytes.toString('base64'),
        ...(encoding ? { encoding } : {}),
      },
      routes,
      smarthost,
      reporting,
      ...(validityMs === undefined ? {} : { validityMs }),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        'invalid_input',
        `${issue?.path.join('.') ?? 'input'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    const dataDir = resolveDataDir(flags.data);
    const app = await openApp({
      ...CLI_APP,
      ...(servers.length > 0 ? { dns: createDnsResolver({ servers, clock: systemClock }) } : {}),
      dataDir,
      engine: false,
      sandbox: false,
      inmail: false,
      logger: silentLogger,
    });
    try {
      const report = await app.handlers['analysis.run'](parsed.data, { transport: 'ipc' });
      io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatAnalysis(report));
      return report.counts.error > 0 ? 1 : 0;
    } finally {
      await app.close();
    }
  },
};

/** The analysis for a terminal: a summary line, then each area's checks with their mark, fix and details. */
export function formatAnalysis(report: AnalysisReport): string {
  const { counts } = report;
  const lines = [
    `Pre-send analysis: ${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning` +
      `${counts.warning === 1 ? '' : 's'}, ${counts.pass} passed, ${counts.info} for information`,
  ];
  for (const group of groupChecks(report)) {
    lines.push('', CHECK_AREA_LABELS[group.area]);
    for (const c of group.checks) {
      lines.push(
        `  ${MARK[c.result]} ${c.title}${c.result === 'pass' ? '' : ` (${CHECK_RESULT_LABELS[c.result]})`}`,
      );
      if (c.result !== 'pass') lines.push(`      ${c.explanation}`);
      if (c.fix) lines.push(`      Fix: ${c.fix}`);
      for (const d of c.details ?? []) lines.push(`      - ${d}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
