/** `relaydeck serve`: engine + browser console until SIGINT/SIGTERM. */
import { resolveDataDir } from '../data-dir';
import { serve } from '../serve';
import { parseFlags, parsePort, untilSignal, type Command } from './common';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the engine and serve the browser console',
  usage: `
Usage: relaydeck serve [--data DIR] [--port N] [--new-token] [--dns-server HOST:PORT]

Runs the sending engine and serves the console on http://127.0.0.1; prints the console URL with its
access token. The port and the token are kept in the data directory (console.json, owner-only) and reused
at the next start, so the URL stays the same and an open tab reconnects by itself. Stops cleanly on
Ctrl-C (SIGINT) or SIGTERM.

Options:
  --data DIR    data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  --port N      port to listen on, kept for the next starts (default: the kept port, else a free one)
  --new-token   make a new access token (kept for the next starts); tabs opened with the old URL are shut out
  --dns-server HOST:PORT
                ask this DNS server (repeatable) instead of the system's, for MX lookups and the pre-send
                analysis (tests, offline machines)
  -h, --help    show this help`,
  async run(argv, io) {
    const flags = parseFlags(
      this,
      argv,
      {
        data: { type: 'string' },
        port: { type: 'string' },
        'new-token': { type: 'boolean' },
        'dns-server': { type: 'string', multiple: true },
      },
      io,
    );
    if (!flags) return 0;
    const dataDir = resolveDataDir(flags.data);
    const stopped = untilSignal(); // before the ready message: a supervisor may signal right after reading it
    const served = await serve({
      dataDir,
      ...(flags.port !== undefined ? { port: parsePort(flags.port, 'port') } : {}),
      ...(flags['new-token'] ? { newToken: true } : {}),
      ...(flags['dns-server']?.length ? { dnsServers: flags['dns-server'] } : {}),
    });
    for (const warning of served.warnings) io.stderr.write(`${warning}\n`);
    if (served.portFallback)
      io.stderr.write(
        `Port ${served.portFallback.wanted} (this data directory's console port) is in use by another program: ` +
          `the console moved to port ${served.portFallback.port}, kept for the next starts. Open the new URL ` +
          `below (tabs on the old one cannot reconnect).\n`,
      );
    io.stdout.write(`Relaydeck console: ${served.consoleUrl}\n`);
    if (!served.consoleAvailable)
      io.stderr.write('The console is not built (run npm run build); serving the API only.\n');
    const inmail = served.app.bounce.listener;
    if (inmail) io.stderr.write(`Bounce mailbox (inMail SMTP): ${inmail.host}:${inmail.port}\n`);
    io.stderr.write(`Data: ${dataDir}. Press Ctrl-C to stop.\n`);
    await stopped;
    io.stderr.write('Stopping...\n');
    await served.close();
    return 0;
  },
};
