/**
 * The message data's escaping (`DotStuffer`, dot-stuffing.ts) against nodemailer's own DataStream, which it
 * replaces: the same bytes for any data cut into any chunks (dots at line starts, bare CR, bare LF, CRLF split
 * across chunks, the final `.` line).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Transform } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DotStuffer, needsEscaping, stuffMessage } from '../../src/main/engine/relay/dot-stuffing';

// nodemailer does not export its DataStream; the reference is loaded from the installed package's file.
const require = createRequire(import.meta.url);
const DataStream = require(
  path.join(path.dirname(require.resolve('nodemailer')), 'smtp-connection', 'data-stream.js'),
) as new () => Transform & { outByteCount: number };

function run(
  stream: Transform & { outByteCount: number },
  chunks: Buffer[],
): Promise<{ out: Buffer; count: number }> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    stream.on('data', (c: Buffer) => out.push(c));
    stream.on('error', reject);
    stream.on('end', () => resolve({ out: Buffer.concat(out), count: stream.outByteCount }));
    for (const c of chunks) stream.write(c);
    stream.end();
  });
}

/** Data made of the bytes that matter (CR, LF, dot) and ordinary ones, cut at random places. */
const chunked = fc
  .array(fc.constantFrom('\r', '\n', '.', '\r\n', 'a', 'b c', '..'), { maxLength: 60 })
  .chain((parts) => {
    const data = Buffer.from(parts.join(''), 'latin1');
    return fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, data.length - 1) }), { maxLength: 5 })
      .map((cuts) => {
        const points = [0, ...cuts.filter((c) => c < data.length).sort((a, b) => a - b), data.length];
        const chunks: Buffer[] = [];
        for (let i = 1; i < points.length; i++) chunks.push(data.subarray(points[i - 1], points[i]));
        return chunks.filter((c) => c.length > 0);
      });
  });

describe('message data escaping', () => {
  it('gives the bytes of nodemailer DataStream for any data in any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(chunked, async (chunks) => {
        const ours = await run(new DotStuffer(), chunks);
        const theirs = await run(new DataStream(), chunks);
        expect(ours.out.toString('latin1')).toBe(theirs.out.toString('latin1'));
        expect(ours.count).toBe(theirs.count);
      }),
      { numRuns: 2000 },
    );
  });

  it('stuffMessage gives the DotStuffer bytes for a whole message, without copying clean data', async () => {
    await fc.assert(
      fc.asyncProperty(chunked, async (chunks) => {
        const whole = Buffer.concat(chunks);
        const ours = await run(new DotStuffer(), [whole]);
        expect(Buffer.concat(stuffMessage(whole))).toEqual(ours.out);
      }),
      { numRuns: 500 },
    );
    const clean = Buffer.from('Subject: x\r\n\r\nline\r\n');
    expect(stuffMessage(clean)[0]).toBe(clean);
  });

  it('passes clean CRLF data on without copying it, and ends it with the dot line', async () => {
    const clean = Buffer.from('Subject: x\r\n\r\nline one\r\nline two\r\n');
    const stream = new DotStuffer();
    const seen: Buffer[] = [];
    stream.on('data', (c: Buffer) => seen.push(c));
    const ended = new Promise((resolve) => stream.on('end', resolve));
    stream.end(clean);
    await ended;
    expect(seen[0]).toBe(clean);
    expect(Buffer.concat(seen).toString()).toBe(`${clean.toString()}.\r\n`);
  });

  it('finds each case that needs escaping, including across a chunk boundary', () => {
    expect(needsEscaping(Buffer.from('a\r\nb\r\n'), false)).toBe(false);
    expect(needsEscaping(Buffer.from('.a\r\n'), false)).toBe(true);
    expect(needsEscaping(Buffer.from('a\r\n.b'), false)).toBe(true);
    expect(needsEscaping(Buffer.from('a\nb'), false)).toBe(true);
    expect(needsEscaping(Buffer.from('a\rb\r\n'), false)).toBe(true);
    expect(needsEscaping(Buffer.from('a\r'), false)).toBe(false);
    expect(needsEscaping(Buffer.from('\nb'), 0x0d)).toBe(false);
    expect(needsEscaping(Buffer.from('b'), 0x0d)).toBe(true);
    expect(needsEscaping(Buffer.from('.b'), 0x0a)).toBe(true);
    expect(needsEscaping(Buffer.from('\n'), 0x61)).toBe(true);
  });
});
