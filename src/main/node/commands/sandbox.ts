/** `relaydeck sandbox`: the simulated receiving servers in the foreground. */
import { systemClock } from '../../clock';
import { startSandbox } from '../../engine/sandbox';
import { DEMO_PROFILE, type HiddenLimits, type SandboxProfile } from '../../engine/sandbox/profiles';
import { DEFAULT_SANDBOX_PROFILES } from '../../defaults/sandbox-profiles';
import { RATED_OUTCOMES, SANDBOX_OUTCOME_LABELS } from '../../../shared/contract/simulation';
import { parseFlags, parsePort, untilSignal, UsageError, type Command } from './common';
import { readProfilesFile } from './simulate';

/** A profile's rates in one line ("unknown user 3 %, complaint 0.2 %"). */
function describeRates(p: SandboxProfile): string {
  const parts = RATED_OUTCOMES.filter((o) => p.rates[o] > 0).map(
    (o) => `${SANDBOX_OUTCOME_LABELS[o].toLowerCase()} ${+(p.rates[o] * 100).toFixed(2)} %`,
  );
  return parts.length > 0 ? parts.join(', ') : 'everyone accepted';
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
Usage: relaydeck sandbox [--port N] [--profiles FILE.json]

Runs the sandbox's SMTP servers on 127.0.0.1 until Ctrl-C, one per provider profile (each serves its own
domains; a dead domain's address refuses connections). Use them as routes:
  relaydeck deliver ... --route '*.test=127.0.0.1:PORT' --route 'gmail.test=127.0.0.1:PORT2'

Options:
  --port N            port of the first profile's server (default: an ephemeral port; the others are ephemeral)
  --profiles FILE     the profiles to serve: a JSON document exported from the console's profiles editor
                      (default: the shipped profiles)
  -h, --help          show this help`,
  async run(argv, io) {
    const flags = parseFlags(this, argv, { port: { type: 'string' }, profiles: { type: 'string' } }, io);
    if (!flags) return 0;
    if (flags.profiles === '') throw new UsageError('--profiles needs a file');
    const document =
      flags.profiles !== undefined ? readProfilesFile(flags.profiles) : DEFAULT_SANDBOX_PROFILES;
    const stopped = untilSignal(); // before the ready message: a supervisor may signal right after reading it
    const sandbox = await startSandbox({
      port: flags.port !== undefined ? parsePort(flags.port, 'port') : 0,
      clock: systemClock,
      profiles: document.profiles,
      seed: document.seed,
    });
    const demo = document.profiles.find((p) => p.id === DEMO_PROFILE.id);
    const lines = [
      `Sandbox SMTP listening on ${sandbox.host}:${sandbox.port}`,
      ...(demo ? [`Demo domains: ${demo.domains.join(', ')}`] : []),
      'Test addresses (any profile): unknown…, nobody… refused as unknown users; grey… greylisted; full… mailbox',
      '  full; spam… refused after DATA; dsn…, complain…, ooo… accepted, then a DSN, complaint or auto-reply.',
      'Any other domain: 550 5.1.2 Domain not found.',
      'Profiles:',
      ...sandbox.listeners.map((l, i) => {
        const profile = document.profiles[i]!;
        const where =
          profile.connection === 'refuse'
            ? `refuses connections at ${l.host}:${l.port}`
            : `on ${l.host}:${l.port}`;
        const limits = describeLimits(profile.limits);
        return `  ${l.profile} ${where} (${l.domains.join(', ')}): ${describeRates(profile)}${limits ? `; hidden limits: ${limits}` : ''}`;
      }),
      `Seed ${document.seed}. Press Ctrl-C to stop.`,
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    await stopped;
    await sandbox.close();
    return 0;
  },
};
