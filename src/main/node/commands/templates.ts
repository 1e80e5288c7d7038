/**
 * `relaydeck templates list`: the saved message templates (the console's "Save as template"), to find one for
 * a delivery or a simulation.
 */
import { listTemplates } from '../../store/templates-repo';
import { parseFlags, parseSubcommand, withStoreApp, type Command } from './common';

export const templatesCommand: Command = {
  name: 'templates',
  summary: 'List the saved message templates',
  usage: `
Usage: relaydeck templates list [--json] [--data DIR]

  list     each saved template: id, name, From and subject (--json: an array with their bodies)

Options:
  --json         print JSON
  --data DIR     data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help     show this help`,
  async run(argv, io) {
    const parsed = parseSubcommand(this, argv, ['list'] as const, io);
    if (!parsed) return 0;
    const flags = parseFlags(this, parsed.rest, { json: { type: 'boolean' }, data: { type: 'string' } }, io);
    if (!flags) return 0;
    const templates = await withStoreApp(flags.data, (app) => listTemplates(app.db));
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(templates, null, 2)}\n`);
      return 0;
    }
    if (templates.length === 0) {
      io.stdout.write('No saved templates. Save one in the console: New delivery, "Save as template…".\n');
      return 0;
    }
    const idWidth = Math.max(2, ...templates.map((t) => t.id.length));
    const nameWidth = Math.max(4, ...templates.map((t) => t.name.length));
    io.stdout.write(`${'ID'.padEnd(idWidth)}  ${'NAME'.padEnd(nameWidth)}  FROM  SUBJECT\n`);
    for (const t of templates) {
      const from = t.fromName ? `${t.fromName} <${t.fromAddress}>` : t.fromAddress;
      io.stdout.write(`${t.id.padEnd(idWidth)}  ${t.name.padEnd(nameWidth)}  ${from}  ${t.subject}\n`);
    }
    return 0;
  },
};
