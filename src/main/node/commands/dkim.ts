/**
 * `relaydeck dkim add|list|remove`: DKIM keys per sending domain and selector (SPEC §5). `add` generates a
 * key (or imports a PEM file) and prints the DNS TXT record to publish, in zone-file form.
 */
import fs from 'node:fs';
import type { z } from 'zod';
import { DkimGenerateInput, DkimImportInput, type DkimKey } from '../../../shared/contract/mta';
import { dkimZoneRecord } from '../../../shared/domain/dkim';
import { AppError } from '../../../shared/contract/errors';
import { openApp } from '../../app';
import {
  findDkimKey,
  generateDkimKey,
  importDkimKey,
  listDkimKeys,
  removeDkimKey,
} from '../../engine/dkim/key-admin';
import { dataDirLogger } from '../../logger';
import { resolveDataDir } from '../data-dir';
import {
  parseFlags,
  parseSubcommand,
  requireFlag,
  UsageError,
  type Command,
  type CommandIo,
  CLI_APP,
} from './common';

const SUBCOMMANDS = ['add', 'list', 'remove'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

export const dkimCommand: Command = {
  name: 'dkim',
  summary: 'Add, list or remove DKIM signing keys and print their DNS records',
  usage: `
Usage: relaydeck dkim add --domain D --selector S [--type rsa|ed25519] [--bits N] [--key FILE] [--data DIR]
       relaydeck dkim list [--json] [--data DIR]
       relaydeck dkim remove --domain D --selector S [--data DIR]

Every message whose From domain (or a parent domain of it) has an enabled key is signed automatically.

  add      generate a key (RSA 2048 bits by default) or import a PEM private key (PKCS#1 or PKCS#8, RSA of
           at least 1024 bits or ed25519), then print the TXT record to publish at <S>._domainkey.<D>
  list     the keys with their algorithm, state and TXT record (--json: an array of keys)
  remove   delete the key and its private key file

A running "serve" or "run" process picks up key changes within a few seconds.

Options:
  --domain D     the signing domain (d=), e.g. example.com
  --selector S   the selector (s=), e.g. rd202504
  --type T       rsa (default) or ed25519 (an ed25519 key is added as a second signature next to RSA)
  --bits N       RSA key size, 1024 to 4096 (default 2048)
  --key FILE     import this PEM private key instead of generating one
  --json         list: print JSON
  --data DIR     data directory (default: $RELAYDECK_DATA or the OS user-data directory)
  -h, --help     show this help`,
  async run(argv, io) {
    const parsed = parseSubcommand(this, argv, SUBCOMMANDS, io);
    return parsed ? runSubcommand(this, parsed.sub, parsed.rest, io) : 0;
  },
};

async function runSubcommand(
  command: Command,
  sub: Subcommand,
  argv: string[],
  io: CommandIo,
): Promise<number> {
  switch (sub) {
    case 'add': {
      const flags = parseFlags(
        command,
        argv,
        {
          domain: { type: 'string' },
          selector: { type: 'string' },
          type: { type: 'string' },
          bits: { type: 'string' },
          key: { type: 'string' },
          data: { type: 'string' },
        },
        io,
      );
      if (!flags) return 0;
      const domain = requireFlag(flags.domain, 'domain');
      const selector = requireFlag(flags.selector, 'selector');
      const dataDir = resolveDataDir(flags.data);
      let key: DkimKey;
      if (flags.key !== undefined) {
        if (flags.type !== undefined || flags.bits !== undefined)
          throw new UsageError('--type and --bits do not apply with --key (they are read from the key file)');
        const input = checked(DkimImportInput, { domain, selector, privateKeyPem: readKeyFile(flags.key) });
        key = await withApp(dataDir, (db, now) =>
          importDkimKey({ db, dataDir, now }, input, `--key ${flags.key}`),
        );
      } else {
        const input = checked(DkimGenerateInput, {
          domain,
          selector,
          algorithm: algorithmOf(flags.type ?? 'rsa'),
          bits: flags.bits === undefined ? 2048 : parseBits(flags.bits),
        });
        key = await withApp(dataDir, (db, now) => generateDkimKey({ db, dataDir, now }, input));
      }
      io.stdout.write(
        [
          `DKIM key added for ${key.domain}, selector ${key.selector} (${describe(key)}).`,
          `Publish this TXT record at ${key.dnsName}:`,
          '',
          dkimZoneRecord(key.dnsName, key.txtRecord),
          '',
        ].join('\n'),
      );
      return 0;
    }
    case 'list': {
      const flags = parseFlags(command, argv, { json: { type: 'boolean' }, data: { type: 'string' } }, io);
      if (!flags) return 0;
      const keys = await withApp(resolveDataDir(flags.data), (db) => listDkimKeys(db));
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
        return 0;
      }
      if (keys.length === 0) {
        io.stdout.write('No DKIM keys. Add one with: relaydeck dkim add --domain D --selector S\n');
        return 0;
      }
      for (const key of keys) {
        io.stdout.write(
          `${key.domain}  ${key.selector}  ${describe(key)}  ${key.enabled ? 'enabled' : 'disabled'}\n` +
            `${dkimZoneRecord(key.dnsName, key.txtRecord)}\n\n`,
        );
      }
      return 0;
    }
    case 'remove': {
      const flags = parseFlags(
        command,
        argv,
        { domain: { type: 'string' }, selector: { type: 'string' }, data: { type: 'string' } },
        io,
      );
      if (!flags) return 0;
      const domain = requireFlag(flags.domain, 'domain');
      const selector = requireFlag(flags.selector, 'selector');
      await withApp(resolveDataDir(flags.data), (db) => {
        const key = findDkimKey(db, domain, selector);
        if (!key) throw new AppError('not_found', `no DKIM key for selector "${selector}" of ${domain}`);
        removeDkimKey(db, Number(key.id));
      });
      io.stdout.write(
        `DKIM key ${selector}._domainkey.${domain} removed (remember to remove its DNS record).\n`,
      );
      return 0;
    }
  }
}

type AppDb = Awaited<ReturnType<typeof openApp>>['db'];

async function withApp<T>(dataDir: string, work: (db: AppDb, now: number) => T | Promise<T>): Promise<T> {
  const app = await openApp({
    ...CLI_APP,
    dataDir,
    logger: dataDirLogger(dataDir),
    engine: false,
    sandbox: false,
  });
  try {
    return await work(app.db, Date.now());
  } finally {
    await app.close();
  }
}

const FLAG_OF: Record<string, string> = {
  domain: '--domain',
  selector: '--selector',
  algorithm: '--type',
  bits: '--bits',
  privateKeyPem: '--key',
};

function checked<S extends z.ZodType>(schema: S, value: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  const shown = field === 'domain' || field === 'selector' ? ` (got "${String(value[field])}")` : '';
  throw new UsageError(`${FLAG_OF[field] ?? field}: ${issue?.message ?? 'invalid'}${shown}`);
}

function algorithmOf(type: string): DkimKey['algorithm'] {
  if (type === 'rsa') return 'rsa-sha256';
  if (type === 'ed25519') return 'ed25519-sha256';
  throw new UsageError(`--type must be rsa or ed25519, got "${type}"`);
}

function parseBits(value: string): number {
  const bits = Number(value);
  if (!Number.isInteger(bits) || bits < 1024 || bits > 4096)
    throw new UsageError(`--bits must be an RSA key size from 1024 to 4096, got "${value}"`);
  return bits;
}

function readKeyFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
}

function describe(key: DkimKey): string {
  return key.bits ? `${key.algorithm}, ${key.bits} bits` : key.algorithm;
}
