/** `relaydeck run`: runs the engine over what is queued in the data dir (e.g. after a restart). */
import { openApp } from '../../app';
import { deliveryIdsInState } from '../../store/deliveries-repo';
import { dataDirLogger } from '../../logger';
import { resolveDataDir } from '../data-dir';
import { parseFlags, untilSignal, type Command, CLI_APP } from './common';

export const runCommand: Command = {
  name: 'run',
  summary: 'Run the engine over the queued messages',
  usage: `
Usage: relaydeck run [--data DIR] [--until-idle]

Resumes interrupted relays and delivers what is queued in the data directory.

Options:
  --until-idle  exit once nothing is left to relay or deliver (default: run until Ctrl-C)
  --data DIR    data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help    show this help`,
  async run(argv, io) {
    const flags = parseFlags(this, argv, { data: { type: 'string' }, 'until-idle': { type: 'boolean' } }, io);
    if (!flags) return 0;
    const dataDir = resolveDataDir(flags.data);
    const app = await openApp({ ...CLI_APP, dataDir, logger: dataDirLogger(dataDir) });
    try {
      io.stderr.write(`Engine running on ${app.dataDir}: ${app.engine.queued()} message(s) queued.\n`);
      if (flags['until-idle']) {
        await Promise.all(deliveryIdsInState(app.db, 'relaying').map((id) => app.campaign.whenRelayed(id)));
        await app.engine.whenIdle();
        io.stderr.write('Queue empty.\n');
      } else {
        const stopped = untilSignal();
        io.stderr.write('Press Ctrl-C to stop.\n');
        await stopped;
      }
      return 0;
    } finally {
      await app.close();
    }
  },
};
