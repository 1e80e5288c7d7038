/**
 * `relaydeck report`: a delivery's reports (SPEC §7) as CSV (UTF-8 with BOM), JSON lines, XLSX or PDF, to a
 * file or stdout. Without --kind, csv and json keep their original output (the KPI block and the delivery
 * log; `{delivery, kpi, rows}`), xlsx and pdf give the summary.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import { openApp } from '../../app';
import {
  REPORT_FORMATS,
  REPORT_KINDS,
  type ReportFormat,
  type ReportKind,
} from '../../../shared/contract/reports';
import { Id } from '../../../shared/contract/schemas';
import { buildReport } from '../../reports/build';
import { getDelivery, parseId } from '../../store/deliveries-repo';
import { writeReport } from '../../reports/writers';
import { writeLegacyCsv, writeLegacyJson } from '../../reports/writers/legacy';
import { endStream, Output } from '../../reports/writers/output';
import { dataDirLogger } from '../../logger';
import { resolveDataDir } from '../data-dir';
import { parseFlags, requireFlag, UsageError, type Command, CLI_APP } from './common';

const isKind = (v: string): v is ReportKind => (REPORT_KINDS as readonly string[]).includes(v);
const isFormat = (v: string): v is ReportFormat => (REPORT_FORMATS as readonly string[]).includes(v);

export const reportCommand: Command = {
  name: 'report',
  summary: "Export a delivery's reports (CSV, JSON lines, XLSX, PDF)",
  usage: `
Usage: relaydeck report --delivery ID --format csv|json|xlsx|pdf [--kind KIND] [--out FILE] [--data DIR]

Options:
  --delivery ID      the delivery (its id, as printed by "deliver")
  --format FORMAT    csv   UTF-8 with BOM, one table per file: a kind of several tables (summary,
                           bounces) is a ZIP of one CSV per table
                     json  JSON lines: one object per row (the summary is one object)
                     xlsx  a workbook: a "Report" sheet, then one sheet per table
                     pdf   the printable report of the kind (summary: KPIs, health, charts, tables; other
                           kinds: their tables, at most 2,000 rows each), printed by Chromium
                           ($RELAYDECK_CHROMIUM, else /usr/bin/chromium, chromium-browser or google-chrome)
  --kind KIND        summary     delivery, period, KPIs, statuses, reasons, health flags
                     bounces     non-deliverables by reason, by domain, and every failed recipient
                     domains     per-domain statistics
                     throughput  relayed / accepted / deferred / bounced per minute
                     events      per-message events with ESP-webhook field names (docs/reports.md)
                     quarantine  quarantine entries of the delivery's recipients
                     log         the per-recipient delivery log
                     Default: for csv and json, the original export (the KPI block then the delivery log
                     in csv; one {delivery, kpi, rows} document in json); for xlsx and pdf, summary.
  --out FILE         write to FILE instead of stdout (required for xlsx and pdf on a terminal)
  --data DIR         data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help         show this help`,
  async run(argv, io) {
    const flags = parseFlags(
      this,
      argv,
      {
        delivery: { type: 'string' },
        format: { type: 'string' },
        kind: { type: 'string' },
        out: { type: 'string' },
        data: { type: 'string' },
      },
      io,
    );
    if (!flags) return 0;
    const id = requireFlag(flags.delivery, 'delivery');
    if (!Id.safeParse(id).success) throw new UsageError(`--delivery expects a numeric id, got "${id}"`);
    const format = requireFlag(flags.format, 'format');
    if (!isFormat(format))
      throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${format}"`);
    if (flags.kind !== undefined && !isKind(flags.kind))
      throw new UsageError(`--kind must be one of ${REPORT_KINDS.join(', ')}, got "${flags.kind}"`);
    const kind = flags.kind;
    if ((format === 'xlsx' || format === 'pdf') && !flags.out && io.stdout.isTTY)
      throw new UsageError(`${format} is a binary format: give --out FILE (or redirect stdout)`);

    const dataDir = resolveDataDir(flags.data);
    const app = await openApp({
      ...CLI_APP,
      dataDir,
      logger: dataDirLogger(dataDir),
      engine: false,
      sandbox: false,
      inmail: false,
    });
    let file: fs.WriteStream | null = null;
    try {
      const now = Date.now();
      getDelivery(app.db, parseId(id), now); // not_found before any file is created
      // A PDF is printed before the file is opened: a failed print leaves no file behind.
      const pdf = format === 'pdf' ? await app.reportPrinter.print(id, kind ?? 'summary') : null;
      file = flags.out ? fs.createWriteStream(flags.out) : null;
      const out = new Output(file ?? io.stdout);
      if (format === 'pdf') {
        if (pdf) await out.write(pdf);
      } else if (kind === undefined && format === 'csv') {
        await writeLegacyCsv(app.db, id, now, out);
      } else if (kind === undefined && format === 'json') {
        await writeLegacyJson(app.db, id, now, out);
      } else {
        await writeReport(buildReport(app.db, id, kind ?? 'summary', now), format, out);
      }
      if (file) await endStream(file);
      return 0;
    } catch (err) {
      if (file && flags.out) {
        file.destroy();
        await once(file, 'close');
        fs.rmSync(flags.out, { force: true });
      }
      throw err;
    } finally {
      await app.close();
    }
  },
};
