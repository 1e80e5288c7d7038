/**
 * `relaydeck stop|pause|resume <id>`: a delivery's lifecycle (SPEC §3) on the data dir, also while `serve`, the
 * desktop app or `relaydeck run` use it. The action is one write transaction on the shared store, so another
 * process relaying the delivery sees it at its next relay batch (each batch re-reads the state in its own
 * transaction): a pause or a stop takes effect there within one batch, and what a stop cancels is exactly what
 * it reports. `resume` relays the rest of the list itself (as `deliver` does) into the durable queue, which an
 * engine running on the data dir takes within a second (`relaydeck run` otherwise).
 */
import type { Delivery } from '../../../shared/contract';
import { UsageError, parseCommandLine, withStoreApp, type Command, type CommandIo } from './common';

type Action = 'stop' | 'pause' | 'resume';

const HELP: Record<Action, { summary: string; what: string }> = {
  stop: {
    summary: 'Stop a delivery: cancel what is not relayed yet',
    what: `Stops the delivery: its messages not yet relayed to the MTA are cancelled (Delivery cancelled);
messages already relayed continue to their outcome (they cannot be recalled). Accepted while the delivery
is prepared, relaying, paused or delivering (then nothing is left to cancel: it is marked Stopped).`,
  },
  pause: {
    summary: 'Pause relaying a delivery to the MTA',
    what: `Pauses relaying: no more of its messages are handed to the MTA (a process relaying it stops at its
next batch). Messages already relayed continue. Only a relaying delivery can be paused.`,
  },
  resume: {
    summary: 'Resume relaying a paused delivery',
    what: `Resumes relaying a paused delivery and relays the rest of its list into the queue; an engine running
on the data directory (serve, the desktop app, relaydeck run) delivers it.`,
  },
};

function lifecycleCommand(action: Action): Command {
  return {
    name: action,
    summary: HELP[action].summary,
    usage: `
Usage: relaydeck ${action} <delivery id> [--json] [--data DIR]

${HELP[action].what}

Options:
  --json       print one JSON object: {"action", "delivery" (the API's Delivery)${action === 'stop' ? ', "cancelled"' : ''}}
  --data DIR   data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help   show this help`,
    async run(argv, io) {
      const parsed = parseCommandLine(
        this,
        argv,
        { data: { type: 'string' }, json: { type: 'boolean' } },
        io,
      );
      if (!parsed) return 0;
      const [id, ...extra] = parsed.positionals;
      if (id === undefined) throw new UsageError('missing the delivery id (relaydeck deliver prints it)');
      if (extra.length > 0) throw new UsageError(`one delivery id expected, got also "${extra.join(' ')}"`);
      if (!/^[1-9]\d{0,15}$/.test(id))
        throw new UsageError(`the delivery id must be a positive whole number, got "${id}"`);
      return withStoreApp(parsed.values.data, async (app) => {
        const deliveryId = Number(id);
        const { cancelled } = app.campaign.act(deliveryId, action);
        if (action === 'resume') await app.campaign.whenRelayed(deliveryId);
        const delivery = await app.handlers['deliveries.get']({ id }, { transport: 'ipc' });
        if (parsed.values.json) {
          const out = action === 'stop' ? { action, delivery, cancelled } : { action, delivery };
          io.stdout.write(`${JSON.stringify(out)}\n`);
        } else {
          io.stdout.write(`${describe(action, delivery, cancelled)}\n`);
        }
        if (action === 'resume' && delivery.inMta > 0) noteEngine(io);
        return 0;
      });
    },
  };
}

const count = (n: number, one: string, many: string) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function describe(action: Action, d: Delivery, cancelled: number): string {
  const head = `Delivery ${d.id} “${d.name}”`;
  const inMta = d.inMta > 0 ? `${count(d.inMta, 'message', 'messages')} in the MTA` : null;
  switch (action) {
    case 'stop':
      return cancelled > 0
        ? `${head} stopped: ${count(cancelled, 'message', 'messages')} not yet relayed cancelled${inMta ? `; ${inMta} continue to their outcome` : ''}.`
        : `${head} stopped: nothing was left to cancel (every message had been relayed)${inMta ? `; ${inMta} continue to their outcome` : ''}.`;
    case 'pause':
      return `${head} paused: ${count(d.statusCounts.pending ?? 0, 'message', 'messages')} not yet relayed wait for "relaydeck resume ${d.id}"${inMta ? `; ${inMta} continue` : ''}.`;
    case 'resume':
      return `${head} resumed: every message is relayed (state ${d.state})${inMta ? `; ${inMta}` : ''}.`;
  }
}

function noteEngine(io: CommandIo): void {
  io.stderr.write(
    'An engine running on this data directory (relaydeck serve, the desktop app, relaydeck run) delivers them.\n',
  );
}

export const stopCommand = lifecycleCommand('stop');
export const pauseCommand = lifecycleCommand('pause');
export const resumeCommand = lifecycleCommand('resume');
