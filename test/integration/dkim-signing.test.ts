import path from 'node:path';
import { Worker } from 'node:worker_threads';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/main/clock';
import {
  createDkimKeyring,
  createDkimSigner,
  DkimSignError,
  type DkimSigner,
} from '../../src/main/engine/dkim';
import {
  generateDkimKey,
  importDkimKey,
  listDkimKeys,
  setDkimKeyEnabledById,
} from '../../src/main/engine/dkim/key-admin';
import { createDeliveryWorkers, type DeliveryWorkers } from '../../src/main/engine/workers/pool';
import { deliveryWorkerScript } from '../../src/main/engine/workers/script';
import { ComposeError, createComposer } from '../../src/main/engine/relay/compose';
import { captureLogger } from '../support/api-test-logger';
import { signatureTags, verifyDkim } from '../support/dkim-fixtures';
import { openTempDb, type TempDb } from '../support/engine-fixtures';
import { openDatabase } from '../../src/main/store/db';
import { createRevisionWatcher, REVISIONS_CHECK_MS } from '../../src/main/store/revision-watcher';
import type { Logger } from '../../src/main/logger';

const T0 = Date.UTC(2026, 0, 1);
let t: TempDb;
/** The pools and keyrings a test made, closed after it. */
const closers: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  t = openTempDb();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  t.cleanup();
});

const ctx = () => ({ db: t.db, dataDir: t.dir, now: T0 });

async function composed(fromAddress: string, n = 0, extra: Record<string, string> = {}): Promise<Buffer> {
  const composer = createComposer();
  const { raw } = await composer.compose({
    deliveryId: 1,
    logId: n + 1,
    email: `user${n}@inbox.test`,
    messageId: `<${n}.msg@relaydeck.test>`,
    fieldsJson: JSON.stringify({ first: `Ana ${n}`, team: 'Éditions' }),
    templateJson: JSON.stringify({
      fromName: 'Relaydeck {{team}}',
      fromAddress,
      subject: 'Bonjour {{first}} — offre',
      text: `Dear {{first}},\n\n${'A line of text that is long enough to be wrapped. '.repeat(40)}\n`,
      html: '<p>Dear {{first}}</p>',
    }),
    date: new Date(T0),
  });
  if (Object.keys(extra).length === 0) return raw;
  // Add headers the composer does not produce (List-Unsubscribe): recompose with nodemailer.
  return new MailComposer({ raw: Buffer.concat([headerBlock(extra), raw]) }).compile().build();
}

function headerBlock(headers: Record<string, string>): Buffer {
  return Buffer.from(
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join(''),
  );
}

/** The app's shape: a keyring over the store, a pool of delivery workers, the signer over both. */
function newSigner(
  workers = 2,
  o: { logger?: Logger; spawn?: () => Worker } = {},
): { signer: DkimSigner; pool: DeliveryWorkers } {
  const logger = o.logger ?? captureLogger();
  const pool = createDeliveryWorkers({
    size: workers,
    spawn: o.spawn ?? (() => new Worker(deliveryWorkerScript())),
    logger,
    clock: systemClock,
  });
  const revisions = createRevisionWatcher({ db: t.db, clock: new ManualClock(T0) });
  const keyring = createDkimKeyring({ db: t.db, logger, revisions });
  closers.push(
    () => pool.close(),
    () => keyring.close(),
  );
  return { signer: createDkimSigner({ keyring, pool, clock: systemClock }), pool };
}

describe('DKIM signing through the worker pool', () => {
  it.each([
    ['rsa-sha256', 1024],
    ['rsa-sha256', 2048],
    ['ed25519-sha256', 2048],
  ] as const)('signs composed messages with %s (%i bits) that mailauth verifies', async (algorithm, bits) => {
    const key = await generateDkimKey(ctx(), { domain: 'sender.test', selector: 's1', algorithm, bits });
    const { signer: s } = newSigner();
    const raws = await Promise.all(Array.from({ length: 20 }, (_, i) => composed('news@sender.test', i)));
    const signed = await Promise.all(raws.map((raw) => s.sign(raw, 'sender.test')));
    for (const result of signed) {
      expect(result.dkimDomain).toBe('sender.test');
      const verified = await verifyDkim(result.raw, [key]);
      expect(verified).toEqual([
        expect.objectContaining({ result: 'pass', domain: 'sender.test', selector: 's1', algorithm }),
      ]);
      const [tags] = signatureTags(result.raw);
      expect(tags?.c).toBe('relaxed/relaxed');
      const h = tags?.h?.toLowerCase().split(':') ?? [];
      expect(h.filter((name) => name === 'from')).toHaveLength(2); // From over-signed
      expect(h).toEqual(
        expect.arrayContaining(['subject', 'date', 'to', 'message-id', 'mime-version', 'content-type']),
      );
      expect(h).not.toContain('x-relaydeck-id');
    }
  });

  it('adds an ed25519 signature next to the RSA one when the domain has both keys; both verify', async () => {
    const rsa = await generateDkimKey(ctx(), {
      domain: 'sender.test',
      selector: 'rsa1',
      algorithm: 'rsa-sha256',
      bits: 2048,
    });
    const ed = await generateDkimKey(ctx(), {
      domain: 'sender.test',
      selector: 'ed1',
      algorithm: 'ed25519-sha256',
      bits: 2048,
    });
    const { signer: s } = newSigner();
    const raw = await composed('news@sender.test', 0, {
      'List-Unsubscribe': '<https://sender.test/u/1>, <mailto:u@sender.test>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    const { raw: out, dkimDomain } = await s.sign(raw, 'sender.test');
    expect(dkimDomain).toBe('sender.test');
    const verified = await verifyDkim(out, [rsa, ed]);
    expect(verified.map((v) => [v.result, v.algorithm, v.selector])).toEqual([
      ['pass', 'rsa-sha256', 'rsa1'],
      ['pass', 'ed25519-sha256', 'ed1'],
    ]);
    for (const tags of signatureTags(out)) {
      expect(tags.h?.toLowerCase().split(':')).toEqual(
        expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post']),
      );
    }
  });

  it('fails verification when the body or a signed header is changed, or a second From is added', async () => {
    const key = await generateDkimKey(ctx(), {
      domain: 'sender.test',
      selector: 's1',
      algorithm: 'rsa-sha256',
      bits: 1024,
    });
    const { signer: s } = newSigner();
    const { raw } = await s.sign(await composed('news@sender.test'), 'sender.test');
    expect((await verifyDkim(raw, [key]))[0]?.result).toBe('pass');

    const text = raw.toString('latin1');
    const tamperedBody = Buffer.from(text.replace('Dear Ana 0', 'Dear Bob 0'), 'latin1');
    expect(tamperedBody.equals(raw)).toBe(false);
    expect((await verifyDkim(tamperedBody, [key]))[0]?.result).not.toBe('pass');

    const tamperedSubject = Buffer.from(text.replace(/^Subject: .*$/m, 'Subject: changed'), 'latin1');
    expect((await verifyDkim(tamperedSubject, [key]))[0]?.result).not.toBe('pass');

    const end = text.indexOf('\r\n\r\n');
    const secondFrom = Buffer.from(
      `${text.slice(0, end)}\r\nFrom: evil@attacker.test${text.slice(end)}`,
      'latin1',
    );
    expect((await verifyDkim(secondFrom, [key]))[0]?.result).not.toBe('pass');
  });

  it("signs a subdomain's mail with the parent domain's key, and leaves mail of other domains unchanged", async () => {
    const key = await generateDkimKey(ctx(), {
      domain: 'example.com',
      selector: 's1',
      algorithm: 'rsa-sha256',
      bits: 1024,
    });
    const { signer: s } = newSigner();
    const sub = await s.sign(await composed('news@news.example.com'), 'news.example.com');
    expect(sub.dkimDomain).toBe('example.com');
    expect(await verifyDkim(sub.raw, [key])).toEqual([
      expect.objectContaining({ result: 'pass', domain: 'example.com' }),
    ]);

    const raw = await composed('news@example.org');
    const other = await s.sign(raw, 'example.org');
    expect(other).toEqual({ raw, dkimDomain: null });
    expect(other.raw).toBe(raw);
  });

  it('follows reload(): a disabled key stops signing, the newest RSA key of a domain is used', async () => {
    const first = await generateDkimKey(
      { ...ctx(), now: T0 },
      { domain: 'sender.test', selector: 'old', algorithm: 'rsa-sha256', bits: 1024 },
    );
    const { signer: s } = newSigner(1);
    expect(signatureTags((await s.sign(await composed('a@sender.test'), 'sender.test')).raw)[0]?.s).toBe(
      'old',
    );

    const second = await generateDkimKey(
      { ...ctx(), now: T0 + 1000 },
      { domain: 'sender.test', selector: 'new', algorithm: 'rsa-sha256', bits: 1024 },
    );
    s.reload();
    const signed = await s.sign(await composed('a@sender.test'), 'sender.test');
    expect(signatureTags(signed.raw).map((tags) => tags.s)).toEqual(['new']);
    expect((await verifyDkim(signed.raw, [first, second]))[0]?.result).toBe('pass');

    setDkimKeyEnabledById(t.db, Number(second.id), false);
    setDkimKeyEnabledById(t.db, Number(first.id), false);
    s.reload();
    const unsigned = await s.sign(await composed('a@sender.test'), 'sender.test');
    expect(unsigned.dkimDomain).toBeNull();
    expect(signatureTags(unsigned.raw)).toEqual([]);
  });

  it('signs an imported PKCS#1 key', async () => {
    const { privateKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('rsa', { modulusLength: 2048 }),
    );
    const key = importDkimKey(ctx(), {
      domain: 'Imported.TEST',
      selector: 'Sel1',
      privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    });
    expect(key).toMatchObject({
      domain: 'imported.test',
      selector: 'sel1',
      bits: 2048,
      algorithm: 'rsa-sha256',
    });
    expect(listDkimKeys(t.db)).toEqual([key]);
    const { signer: s } = newSigner();
    const { raw } = await s.sign(await composed('x@imported.test'), 'imported.test');
    expect(await verifyDkim(raw, [key])).toEqual([expect.objectContaining({ result: 'pass' })]);
  });
});

describe('the DKIM keyring', () => {
  it("notices a key added by another process within the watcher's period, and pushes the keys to its sinks", async () => {
    const clock = new ManualClock(T0);
    const revisions = createRevisionWatcher({ db: t.db, clock });
    const keyring = createDkimKeyring({ db: t.db, logger: captureLogger(), revisions });
    closers.push(() => keyring.close());
    const pushed: string[][] = [];
    keyring.attach({ setKeys: (keys) => pushed.push(keys.map((k) => k.domain)) });
    expect(pushed).toEqual([[]]);
    expect(keyring.signingDomain('news.sender.test')).toBeNull();

    // A second connection on the same file, as `relaydeck dkim add` in another process has.
    const other = openDatabase(path.join(t.dir, 'relaydeck.sqlite'));
    try {
      await generateDkimKey(
        { db: other, dataDir: t.dir, now: T0 },
        { domain: 'sender.test', selector: 's1', algorithm: 'rsa-sha256', bits: 1024 },
      );
    } finally {
      other.close();
    }
    clock.advance(REVISIONS_CHECK_MS - 1);
    expect(keyring.signingDomain('news.sender.test')).toBeNull();
    clock.advance(1);
    expect(keyring.signingDomain('news.sender.test')).toBe('sender.test');
    expect(pushed).toEqual([[], ['sender.test']]);
    expect(keyring.keys().map((k) => [k.domain, k.rsa?.selector, k.ed25519])).toEqual([
      ['sender.test', 's1', null],
    ]);

    // The keyring's own reload after a change of this process: nothing reported back to it later.
    setDkimKeyEnabledById(t.db, Number(listDkimKeys(t.db)[0]?.id), false);
    keyring.reload();
    expect(keyring.signingDomain('sender.test')).toBeNull();
    clock.advance(REVISIONS_CHECK_MS);
    expect(keyring.signingDomain('sender.test')).toBeNull();
    expect(pushed).toEqual([[], ['sender.test'], []]);
  });
});

describe('composing and signing in a worker (a message crosses threads once)', () => {
  const template = (subject: string) =>
    JSON.stringify({
      fromName: 'Relaydeck {{team}}',
      fromAddress: 'news@sender.test',
      subject,
      text: `Dear {{first}},\n\n${'A line of text that is long enough to be wrapped. '.repeat(40)}\n`,
      html: '',
    });
  const job = (n: number, fieldsJson = JSON.stringify({ first: `Ana ${n}`, team: 'Éditions' })) => ({
    deliveryId: 7,
    logId: n + 1,
    email: `user${n}@inbox.test`,
    messageId: `<${n}.msg@relaydeck.test>`,
    fieldsJson,
    date: T0,
  });
  /** The message without its DKIM-Signature header lines (first header, folded lines start with a space). */
  const unsigned = (raw: Buffer) =>
    raw.toString().replace(/^DKIM-Signature:[^\r]*\r\n(?:[ \t][^\r]*\r\n)*/, '');

  it("returns the main thread's message for the recipient, signed when its domain has a key; follows a template change", async () => {
    const key = await generateDkimKey(ctx(), {
      domain: 'sender.test',
      selector: 's1',
      algorithm: 'rsa-sha256',
      bits: 1024,
    });
    const { signer: s } = newSigner(2);
    expect(s.signingDomain('news.sender.test')).toBe('sender.test');
    expect(s.signingDomain('other.test')).toBeNull();
    const composer = createComposer();
    for (const subject of ['Bonjour {{first}} — offre', 'Changed {{first}}']) {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, n) => s.composeAndSign(job(n), template(subject), 'news.sender.test')),
      );
      for (const [n, result] of results.entries()) {
        expect(result.dkimDomain).toBe('sender.test');
        expect(await verifyDkim(result.raw, [key])).toEqual([expect.objectContaining({ result: 'pass' })]);
        const { raw } = await composer.compose({
          ...job(n),
          templateJson: template(subject),
          date: new Date(T0),
        });
        expect(unsigned(result.raw)).toBe(raw.toString());
      }
    }
    const unsignedResult = await s.composeAndSign(job(4), template('Plain {{first}}'), 'other.test');
    expect(unsignedResult.dkimDomain).toBeNull();
    const { raw: plain } = await composer.compose({
      ...job(4),
      templateJson: template('Plain {{first}}'),
      date: new Date(T0),
    });
    expect(unsignedResult.raw.equals(plain)).toBe(true);
    s.forget(7);
    const after = await s.composeAndSign(job(9), template('Again {{first}}'), 'sender.test');
    expect(unsigned(after.raw)).toMatch(/^Subject: Again Ana 9\r$/m);
  });

  it('rejects a message that cannot be composed with a ComposeError, and composes the next one', async () => {
    await generateDkimKey(ctx(), {
      domain: 'sender.test',
      selector: 's1',
      algorithm: 'rsa-sha256',
      bits: 1024,
    });
    const { signer: s } = newSigner(1);
    await expect(
      s.composeAndSign(job(1, '{not json'), template('Hi {{first}}'), 'sender.test'),
    ).rejects.toThrow(ComposeError);
    await expect(
      s.composeAndSign(job(1, '{not json'), template('Hi {{first}}'), 'sender.test'),
    ).rejects.toThrow(/log row 2: fields_json is not JSON/);
    const next = await s.composeAndSign(job(2), template('Hi {{first}}'), 'sender.test');
    expect(next.dkimDomain).toBe('sender.test');
  });
});

describe('DKIM worker failures', () => {
  const crashingWorker = () =>
    new Worker(
      `require('node:worker_threads').parentPort.on('message', (batch) => { if (batch.some((m) => m.kind === 'sign')) process.exit(3); });`,
      { eval: true },
    );

  it('rejects the messages a crashed worker held, restarts it and signs the next ones', async () => {
    const key = await generateDkimKey(ctx(), {
      domain: 'sender.test',
      selector: 's1',
      algorithm: 'rsa-sha256',
      bits: 1024,
    });
    let spawned = 0;
    const logger = captureLogger();
    const { signer } = newSigner(1, {
      logger,
      spawn: () => (++spawned === 1 ? crashingWorker() : new Worker(deliveryWorkerScript())),
    });
    const held = await Promise.allSettled([
      signer.sign(await composed('a@sender.test', 1), 'sender.test'),
      signer.sign(await composed('a@sender.test', 2), 'sender.test'),
    ]);
    for (const r of held) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DkimSignError);
      expect(String((r as PromiseRejectedResult).reason.message)).toMatch(/exit code 3/);
    }
    const next = await signer.sign(await composed('a@sender.test', 3), 'sender.test');
    expect(await verifyDkim(next.raw, [key])).toEqual([expect.objectContaining({ result: 'pass' })]);
    expect(spawned).toBe(2);
    expect(logger.records.some((r) => r.level === 'error' && /worker stopped/.test(r.msg))).toBe(true);
  });

  it('gives up after repeated crashes, rejecting every request instead of hanging', async () => {
    const pool = createDeliveryWorkers({
      size: 1,
      spawn: crashingWorker,
      logger: captureLogger(),
      maxCrashes: 2,
      clock: systemClock,
    });
    try {
      const results = [];
      for (let i = 0; i < 4; i++)
        results.push(await pool.sign(Buffer.from('x'), 'sender.test', T0).catch((e: Error) => e));
      expect(results.every((r) => r instanceof DkimSignError)).toBe(true);
      expect(String(results[3])).toMatch(/stopped 3 times in a row/);
    } finally {
      await pool.close();
    }
  });

  it('rejects signing after the workers closed instead of sending unsigned', async () => {
    await generateDkimKey(ctx(), {
      domain: 'sender.test',
      selector: 's1',
      algorithm: 'ed25519-sha256',
      bits: 2048,
    });
    const { signer: s, pool } = newSigner(1);
    await pool.close();
    await expect(s.sign(await composed('a@sender.test'), 'sender.test')).rejects.toBeInstanceOf(
      DkimSignError,
    );
  });
});
