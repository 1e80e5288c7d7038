/** `relaydeck serve`: engine + browser console until SIGINT/SIGTERM. */
import { resolveDataDir } from '../data-dir';
import { serve } from '../serve';
import { parseFlags, parsePort, untilSignal, type Command } from './common';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the engine and serve the browser console',
  usage: `
Usage: relaydeck serve [--data DIR] [--port N]

Runs the sending engine and serves the console on http://127.0.0.1; prints the console URL with its
per-launch access token. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.

Options:
  --data DIR   data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  --port N     port to listen on (default: an ephemeral port)
  -h, --help   show this help`,
  async run(argv, io) {
    const flags = parseFlags(this, argv, { data: { type: 'string' }, port: { type: 'string' } }, io);
    if (!flags) return 0;
    const dataDir = resolveDataDir(flags.data);
    const stopped = untilSignal(); // before the ready message: a supervisor may signal right after reading it
    const served = await serve({
      dataDir,
      ...(flags.port !== undefined ? { port: parsePort(flags.port, 'port') } : {}),
    });
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
