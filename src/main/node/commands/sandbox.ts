/** `relaydeck sandbox`: the simulated receiving servers in the foreground. */
import { systemClock } from '../../clock';
import { startSandbox } from '../../engine/sandbox';
import {
  DEMO_PROFILE,
  SANDBOX_PROFILES,
  UNKNOWN_DOMAIN,
  type Behaviour,
  type HiddenLimits,
} from '../../engine/sandbox/profiles';
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

/** The hidden limits of a profile, in one line (the engine is not told them; the analyst may be). */
function describeLimits(l: HiddenLimits): string {
  const parts: string[] = [];
  if (l.maxConnections) parts.push(`${l.maxConnections.max} concurrent connections`);
  if (l.messagesPerConnection) parts.push(`${l.messagesPerConnection.max} messages per connection`);
  if (l.recipientsPerSecond)
    parts.push(
      `${l.recipientsPerSecond.rate} recipients/s (checked at ${l.recipientsPerSecond.at.toUpperCase()})`,
    );
  if (l.penaltyBox)
    parts.push(
      `penalty box: ${l.penaltyBox.violations} violations in ${l.penaltyBox.windowMs / 1000} s -> ${l.penaltyBox.durationMs / 1000} s`,
    );
  return parts.join(', ');
}

export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'Run the simulated receiving servers (loopback SMTP)',
  usage: `
Usage: relaydeck sandbox [--port N]

Runs the sandbox's SMTP servers on 127.0.0.1 until Ctrl-C, one per profile (each serves its own domains).
Use them as routes:
  relaydeck deliver ... --route '*.test=127.0.0.1:PORT' --route 'throttled.test=127.0.0.1:PORT2'

Options:
  --port N     port of the demo profile's server (default: an ephemeral port; the others are ephemeral)
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
      `Demo domains: ${DEMO_PROFILE.domains.join(', ')}`,
      'Behaviour by local part:',
      ...DEMO_PROFILE.rules.map((r) => `  ${r.localPart.source.padEnd(18)} ${describe(r.behaviour)}`),
      `  ${'(any other)'.padEnd(18)} ${describe(DEMO_PROFILE.otherwise)}`,
      `Any other domain: ${describe(UNKNOWN_DOMAIN)}`,
      'Other profiles:',
      ...sandbox.listeners.slice(1).map((l) => {
        const limits = SANDBOX_PROFILES.find((p) => p.name === l.profile)?.limits;
        const hidden = limits ? `; hidden limits: ${describeLimits(limits)}` : '';
        return `  ${l.profile} on ${l.host}:${l.port} (${l.domains.join(', ')})${hidden}`;
      }),
      'Press Ctrl-C to stop.',
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    await stopped;
    await sandbox.close();
    return 0;
  },
};
