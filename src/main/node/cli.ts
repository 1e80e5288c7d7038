/**
 * `relaydeck`: the product's automation interface. Exit codes: 0 ok, 1 failure, 2 usage error. Errors are
 * one line on stderr (the stack only with RELAYDECK_DEBUG=1).
 */
import { AppError } from '../../shared/contract/errors';
import { APP_VERSION } from '../app';
import { UsageError, type Command, type CommandIo } from './commands/common';
import { analyzeCommand } from './commands/analyze';
import { deliverCommand } from './commands/deliver';
import { dkimCommand } from './commands/dkim';
import { inmailCommand } from './commands/inmail';
import { pauseCommand, resumeCommand, stopCommand } from './commands/lifecycle';
import { qualifyCommand } from './commands/qualify';
import { quarantineCommand } from './commands/quarantine';
import { reportCommand } from './commands/report';
import { rulesCommand } from './commands/rules';
import { runCommand } from './commands/run';
import { sandboxCommand } from './commands/sandbox';
import { serveCommand } from './commands/serve';
import { simulateCommand } from './commands/simulate';
import { templatesCommand } from './commands/templates';

const COMMANDS: readonly Command[] = [
  serveCommand,
  deliverCommand,
  analyzeCommand,
  runCommand,
  stopCommand,
  pauseCommand,
  resumeCommand,
  reportCommand,
  sandboxCommand,
  simulateCommand,
  rulesCommand,
  dkimCommand,
  qualifyCommand,
  inmailCommand,
  quarantineCommand,
  templatesCommand,
];

const NAME_WIDTH = Math.max(...COMMANDS.map((c) => c.name.length));

function usage(): string {
  return [
    `Relaydeck ${APP_VERSION}: email deliverability operations console and sending engine.`,
    '',
    'Usage: relaydeck <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(NAME_WIDTH)} ${c.summary}`),
    '',
    'Run "relaydeck <command> --help" for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${APP_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`relaydeck: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (process.env.RELAYDECK_DEBUG === '1' && err instanceof Error) io.stderr.write(`${err.stack}\n`);
    if (err instanceof UsageError) {
      io.stderr.write(
        `relaydeck ${command.name}: ${err.message}\nRun "relaydeck ${command.name} --help" for usage.\n`,
      );
      return 2;
    }
    const message = err instanceof AppError ? err.message : err instanceof Error ? err.message : String(err);
    io.stderr.write(`relaydeck ${command.name}: ${message}\n`);
    return 1;
  }
}

// Entry point when bundled as out/main/cli.cjs (and not when imported by tests).
if (typeof require !== 'undefined' && require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`relaydeck: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
