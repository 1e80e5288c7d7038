/** `relaydeck report`: a delivery's KPIs and per-recipient log as CSV (UTF-8 with BOM) or JSON. */
import fs from 'node:fs';
import { buildReport, reportToCsv } from '../../campaign/report';
import { openApp } from '../../app';
import { parseId } from '../../store/deliveries-repo';
import { Id } from '../../../shared/contract/schemas';
import { resolveDataDir } from '../data-dir';
import { parseFlags, requireFlag, UsageError, type Command } from './common';

export const reportCommand: Command = {
  name: 'report',
  summary: "Export a delivery's KPIs and delivery log",
  usage: `
Usage: relaydeck report --delivery ID --format csv|json [--out FILE] [--data DIR]

Options:
  --delivery ID      the delivery (its id, as printed by "deliver")
  --format csv|json  csv: KPI block then one row per recipient (UTF-8 with BOM); json: {delivery, kpi, rows}
  --out FILE         write to FILE instead of stdout
  --data DIR         data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help         show this help`,
  async run(argv, io) {
    const flags = parseFlags(
      this,
      argv,
      {
        delivery: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        data: { type: 'string' },
      },
      io,
    );
    if (!flags) return 0;
    const id = requireFlag(flags.delivery, 'delivery');
    if (!Id.safeParse(id).success) throw new UsageError(`--delivery expects a numeric id, got "${id}"`);
    const format = requireFlag(flags.format, 'format');
    if (format !== 'csv' && format !== 'json')
      throw new UsageError(`--format must be csv or json, got "${format}"`);
    const app = await openApp({ dataDir: resolveDataDir(flags.data), engine: false, sandbox: false });
    try {
      const report = buildReport(app.db, parseId(id), Date.now());
      const text = format === 'csv' ? reportToCsv(report) : `${JSON.stringify(report, null, 2)}\n`;
      if (flags.out) fs.writeFileSync(flags.out, text);
      else io.stdout.write(text);
      return 0;
    } finally {
      await app.close();
    }
  },
};
