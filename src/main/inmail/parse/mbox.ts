/**
 * Streams the messages of an mbox file (mboxo/mboxrd: messages start at `From ` lines after a blank line or
 * at the start; `>From ` quoting is undone) without loading the file: one Buffer per message.
 */
import fs from 'node:fs';

/** Messages larger than this are cut (the parser caps them anyway); the rest of the message is skipped. */
export const MBOX_MESSAGE_CAP = 8 * 1024 * 1024;

export async function* readMbox(file: string): AsyncGenerator<Buffer> {
  let lines: Buffer[] = [];
  let size = 0;
  let started = false;
  let previousBlank = true;
  let rest = Buffer.alloc(0);
  const flush = (): Buffer | null => {
    if (!started) return null;
    const message = Buffer.concat(lines);
    lines = [];
    size = 0;
    return message;
  };
  const onLine = (line: Buffer): Buffer | null => {
    let out: Buffer | null = null;
    const isFrom = line.length >= 5 && line.toString('latin1', 0, 5) === 'From ';
    if (isFrom && previousBlank) {
      out = flush();
      started = true;
    } else if (started) {
      const unquoted = /^>+From /.test(line.toString('latin1', 0, Math.min(line.length, 64)))
        ? line.subarray(1)
        : line;
      if (size < MBOX_MESSAGE_CAP) {
        lines.push(unquoted);
        size += unquoted.length;
      }
    }
    previousBlank = line.length <= 2 && line.toString('latin1').trim() === '';
    return out;
  };
  for await (const chunk of fs.createReadStream(file)) {
    const data = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      const message = onLine(data.subarray(start, nl + 1));
      if (message) yield message;
      start = nl + 1;
    }
    rest = Buffer.from(data.subarray(start));
  }
  if (rest.length) {
    const message = onLine(rest);
    if (message) yield message;
  }
  const last = flush();
  if (last && last.length) yield last;
}
