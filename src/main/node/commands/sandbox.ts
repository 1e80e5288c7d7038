/** `relaydeck sandbox`: the simulated receiving servers in the foreground. */
import { systemClock } from '../../clock';
import { startSandbox } from '../../engine/sandbox';
import { DEMO_PROFILE, UNKNOWN_DOMAIN, type Behaviour } from '../../engine/sandbox/profiles';
import { parseFlags, parsePort, untilSignal, type Command } from './common';

function describe(b: Behaviour): string {
  switch (b.kind) {
    case 'accept':
      return '250 accepted';
    case 'reject_rcpt':
      return `${b.code} ${b.text} (at RCPT)`;
    case 'greylist':
      return `${b.code} ${b.text} (first attempt, then accepted)`;
    case 'reject_data':
      return `${b.code} ${b.text} (after DATA)`;
  }
}

export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'Run the simulated receiving servers (loopback SMTP)',
  usage: `
Usage: relaydeck sandbox [--port N]

Runs the sandbox SMTP server on 127.0.0.1 until Ctrl-C. Use it as a route:
  relaydeck deliver ... --route '*.test=127.0.0.1:PORT'

Options:
  --port N     port to listen on (default: an ephemeral port)
  -h, --help   show this help`,
  async run(argv, io) {
    const flags = parseFlags(this, argv, { port: { type: 'string' } }, io);
    if (!flags) return 0;
    const stopped = untilSignal(); // before the ready message: a supervisor may signal right after reading it
    const sandbox = await startSandbox({
      port: flags.port !== undefined ? parsePort(flags.port, 'port') : 0,
      clock: systemClock,
    });
    const lines = [
      `Sandbox SMTP listening on ${sandbox.host}:${sandbox.port}`,
      `Demo domains: ${sandbox.domains.join(', ')}`,
      'Behaviour by local part:',
      ...DEMO_PROFILE.rules.map((r) => `  ${r.localPart.source.padEnd(18)} ${describe(r.behaviour)}`),
      `  ${'(any other)'.padEnd(18)} ${describe(DEMO_PROFILE.otherwise)}`,
      `Any other domain: ${describe(UNKNOWN_DOMAIN)}`,
      'Press Ctrl-C to stop.',
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    await stopped;
    await sandbox.close();
    return 0;
  },
};
