/**
 * `relaydeck qualify`: the batch interface of bounce qualification (keep it stable). Qualifies .eml files,
 * .mbox files and directories of them, or one SMTP reply, with the shipped rules; needs no data dir and no
 * running engine. One JSON line per message with --json:
 * `{"file", "recipients", "status", "code", "type", "reason", "class", "rule", "kind", "why"}`, and `details`
 * (one verdict per recipient) when a message reports several recipients.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createClassifier, type Classifier } from '../../engine/bounce';
import { parseInboundSync, qualifyInbound, readMbox, type InboundVerdict } from '../../inmail/parse';
import { parseSmtpReply } from '../../../shared/domain/smtp-reply';
import { parseCommandLine, UsageError, type Command, type CommandIo } from './common';

/** A verdict as printed. `type` and `reason` are the ids of SPEC §4.1. */
interface PrintedVerdict {
  status: string | null;
  code: number | null;
  type: string;
  reason: string;
  class: number;
  rule: string;
  /** Why the rule decided, in words an analyst can check (the rule and what it matched, a status code …). */
  why: string;
}

/** One output line; `file` is `path#N` inside an mbox. */
export interface QualifyLine extends PrintedVerdict {
  file: string | null;
  recipients: string[];
  /** What the message is: dsn, arf, auto_reply, bounce_nonstandard, unknown, or `reply` for --reply. */
  kind: string;
  /** Each recipient's own verdict, when the message reports more than one. */
  details?: RecipientDetail[];
}

/** The verdict of one recipient of a message that reports several. */
export interface RecipientDetail extends PrintedVerdict {
  recipient: string | null;
}

/** Files read at once; qualification itself is synchronous and fast, reading is what overlaps. */
const CONCURRENCY = 16;
const EML_EXTENSIONS = new Set(['.eml', '.msg', '.txt', '']);

export const qualifyCommand: Command = {
  name: 'qualify',
  summary: 'Qualify bounce messages (.eml, .mbox, directories) or one SMTP reply',
  usage: `
Usage: relaydeck qualify [--json] PATH...
       relaydeck qualify [--json] --reply "550 5.1.1 <a@example.com>: user unknown"

Qualifies each message (DSN, complaint, auto-reply, non-standard bounce) with the default bounce rules and
prints one line per message (per message of an mbox, as PATH#N) with the rule that decided and why.
Directories are read recursively (.eml and .mbox files). No data directory and no running engine are needed.

Options:
  --json          one JSON object per line: file, recipients, status, code, type, reason, class, rule, kind,
                  why, and details (one verdict per recipient) when a message reports several recipients
  --reply TEXT    qualify one SMTP reply instead of files
  -h, --help      show this help`,
  async run(argv, io) {
    const parsed = parseCommandLine(this, argv, { json: { type: 'boolean' }, reply: { type: 'string' } }, io);
    if (!parsed) return 0;
    const json = parsed.values.json === true;
    const classifier = createClassifier();
    const out = createPrinter(io, json);
    if (parsed.values.reply !== undefined) {
      if (parsed.positionals.length) throw new UsageError('give either --reply or paths, not both');
      out(qualifyReply(parsed.values.reply, classifier));
      return 0;
    }
    if (parsed.positionals.length === 0) throw new UsageError('expected at least one PATH (or --reply)');
    for (const p of parsed.positionals) {
      if (!fs.existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
    }
    let failures = 0;
    for await (const line of qualifyPaths(parsed.positionals, classifier, (file, err) => {
      failures++;
      io.stderr.write(`relaydeck qualify: ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    }))
      out(line);
    return failures ? 1 : 0;
  },
};

export function qualifyReply(reply: string, classifier: Classifier): QualifyLine {
  const p = parseSmtpReply(reply);
  const v = classifier.explain({ code: p.code, enhanced: p.enhanced, text: p.text, command: null });
  return {
    file: null,
    recipients: [],
    status: p.enhanced,
    code: p.code,
    type: v.type,
    reason: v.reason,
    class: v.bounceClass,
    rule: v.ruleId,
    kind: 'reply',
    why: v.why,
  };
}

/**
 * Qualifies one message. The recipients listed (lower-cased) are the failed ones; a report in which none
 * failed lists its delayed ones, else all (a success or relay notice). The message's verdict is the listed
 * recipients' most telling one (`mostTelling`); each recipient's own is in `details`.
 */
export function qualifyMessage(file: string | null, raw: Buffer, classifier: Classifier): QualifyLine {
  const report = parseInboundSync(raw);
  const verdicts = qualifyInbound(report, classifier);
  const actionOf = (i: number) => report.recipients[i]?.action;
  const failed = verdicts.filter((_, i) => actionOf(i) === 'failed' || actionOf(i) === null);
  const delayed = verdicts.filter((_, i) => actionOf(i) === 'delayed');
  const listed = failed.length ? failed : delayed.length ? delayed : verdicts;
  const main = mostTelling(listed);
  return {
    file,
    recipients: [
      ...new Set(listed.flatMap((v) => (v.recipient === null ? [] : [v.recipient.toLowerCase()]))),
    ],
    status: main?.status ?? null,
    code: main?.code ?? null,
    type: main?.type ?? 'not_defined',
    reason: main?.reason ?? 'not_defined',
    class: main?.bounceClass ?? 1,
    rule: main?.ruleId ?? 'none',
    kind: report.kind,
    why: main?.why ?? report.note ?? 'nothing to qualify',
    ...(verdicts.length > 1 ? { details: verdicts.map(detailOf) } : {}),
  };
}

/**
 * The message's verdict when its recipients failed for different reasons: the one that comes first in the
 * table of SPEC §4.1 ("first matching line wins"), so a bounce naming an unknown user and a full mailbox is
 * read as the unknown user; among equals, the first recipient.
 */
function mostTelling(verdicts: readonly InboundVerdict[]): InboundVerdict | undefined {
  let best: InboundVerdict | undefined;
  for (const v of verdicts) if (!best || tableLine(v) < tableLine(best)) best = v;
  return best;
}

/** The line of SPEC §4.1's type table a verdict comes from (lower = earlier). */
function tableLine(v: Pick<InboundVerdict, 'reason' | 'type'>): number {
  switch (v.reason) {
    case 'refused':
      return v.type === 'hard' ? 0 : 7;
    case 'user_unknown':
    case 'address_not_specified':
    case 'denylisted':
    case 'quarantined':
      return 1;
    case 'invalid_domain':
      return 2;
    case 'mailbox_full':
      return 3;
    case 'account_disabled':
      return 4;
    case 'message_too_large':
      return 5;
    case 'unreachable':
      return 8;
    case 'error_ignored':
    case 'double':
      return 9;
    case 'not_defined':
      return 10;
  }
}

function detailOf(v: InboundVerdict): RecipientDetail {
  return {
    recipient: v.recipient,
    status: v.status,
    code: v.code,
    type: v.type,
    reason: v.reason,
    class: v.bounceClass,
    rule: v.ruleId,
    why: v.why,
  };
}

/** Every message under the paths, in path order, with bounded concurrency for .eml files. */
export async function* qualifyPaths(
  paths: readonly string[],
  classifier: Classifier,
  onError: (file: string, err: unknown) => void,
): AsyncGenerator<QualifyLine> {
  for (const p of paths) {
    for (const files of batches(listFiles(p), CONCURRENCY)) {
      const results = await Promise.all(
        files.map(async (file): Promise<QualifyLine[]> => {
          try {
            if (isMbox(file)) {
              const lines: QualifyLine[] = [];
              let n = 0;
              for await (const message of readMbox(file))
                lines.push(qualifyMessage(`${file}#${++n}`, message, classifier));
              return lines;
            }
            return [qualifyMessage(file, await fs.promises.readFile(file), classifier)];
          } catch (err) {
            onError(file, err);
            return [];
          }
        }),
      );
      for (const lines of results) yield* lines;
    }
  }
}

function isMbox(file: string): boolean {
  return path.extname(file).toLowerCase() === '.mbox' || path.basename(file).toLowerCase() === 'mbox';
}

/** A file given by name is always read; inside directories, .eml/.mbox (and extension-less) files, sorted. */
function* listFiles(p: string): Generator<string> {
  if (!fs.statSync(p).isDirectory()) {
    yield p;
    return;
  }
  const entries = fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = path.join(p, e.name);
    if (e.isDirectory()) yield* listFiles(full);
    else if (e.isFile() && (isMbox(full) || EML_EXTENSIONS.has(path.extname(e.name).toLowerCase())))
      yield full;
  }
}

function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

function createPrinter(io: CommandIo, json: boolean): (line: QualifyLine) => void {
  let header = false;
  return (line) => {
    if (json) {
      io.stdout.write(`${JSON.stringify(line)}\n`);
      return;
    }
    if (!header) {
      io.stdout.write(
        `${['FILE', 'KIND', 'RECIPIENTS', 'STATUS', 'CODE', 'TYPE', 'REASON', 'CLASS', 'RULE', 'WHY'].join('\t')}\n`,
      );
      header = true;
    }
    io.stdout.write(
      `${[
        line.file ?? '-',
        line.kind,
        line.recipients.join(',') || '-',
        line.status ?? '-',
        line.code ?? '-',
        line.type,
        line.reason,
        line.class,
        line.rule,
        line.why,
      ].join('\t')}\n`,
    );
  };
}
