/**
 * The per-message pipeline (router -> shaper -> sender -> shaping -> classifier + retry -> ledger) on a manual
 * clock, with every port a fake: each path a leased message can take, without a database or a socket.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { silentLogger } from '../../src/main/logger';
import { createComposer, ComposeError } from '../../src/main/engine/relay/compose';
import type { MessageOutcome } from '../../src/main/engine/feedback/apply-outcomes';
import type { MessageToSend } from '../../src/main/engine/pipeline/messages';
import { createMessagePipeline, type PipelineDeps } from '../../src/main/engine/pipeline/process';
import type { Resolution } from '../../src/main/engine/relay/routing';
import { DestinationRuntime, type Handling } from '../../src/main/engine/shaper/destination';
import type { Admission } from '../../src/main/engine/shaper/shaper';
import type { SmtpOutcome, TransmitRequest, TransmitResult } from '../../src/main/engine/types';
import type { LeasedItem } from '../../src/main/store/queue-repo';
import { reply, TEST_POLICY } from '../support/engine-fakes';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const STATIC_TEMPLATE = JSON.stringify({
  fromName: 'News',
  fromAddress: 'news@sender.test',
  subject: 'Hello',
  text: 'Hello everyone',
  html: '',
});
const FIELD_TEMPLATE = JSON.stringify({
  fromName: 'News',
  fromAddress: 'news@sender.test',
  subject: 'Hello {{first}}',
  text: 'Hello {{first}}',
  html: '',
});
const DESTINATION = { key: 'smtp:relay.test:25', hosts: [{ host: 'relay.test', port: 25 }] };

function item(logId: number, over: Partial<LeasedItem> = {}): LeasedItem {
  return {
    logId,
    deliveryId: 1,
    domain: 'rcpt.test',
    dueAt: T0,
    expiresAt: T0 + 3 * 86_400_000,
    attempts: 0,
    ...over,
  };
}

function message(over: Partial<MessageToSend> = {}): MessageToSend {
  return {
    email: 'a@rcpt.test',
    fieldsJson: '{"first":"Ann"}',
    messageId: '<1@sender.test>',
    templateJson: FIELD_TEMPLATE,
    routing: { routes: [], smarthost: null },
    timeScale: 1,
    recipientsPerTransaction: 1,
    ...over,
  };
}

interface Harness {
  clock: ManualClock;
  deps: PipelineDeps;
  ledger: MessageOutcome[];
  sent: TransmitRequest[];
  released: { logId: number; dueAt: number }[];
  deferred: { logId: number; admission: Admission }[];
  adapted: SmtpOutcome[];
  shaperReleases: number;
  adopted: { logIds: readonly number[]; settled: boolean }[];
}

interface HarnessOptions {
  message?: MessageToSend | undefined;
  resolution?: Resolution;
  admission?: (d: DestinationRuntime) => Admission;
  transmit?: (r: TransmitRequest) => Promise<TransmitResult>;
  group?: LeasedItem[];
  emails?: Map<number, string>;
  /** What the shaping step says becomes of the message (default: an ordinary attempt). */
  handling?: Handling;
}

function harness(o: HarnessOptions = {}): Harness {
  const clock = new ManualClock(T0);
  const destination = new DestinationRuntime(DESTINATION, 'smtp', T0);
  const h: Omit<Harness, 'deps'> = {
    clock,
    ledger: [],
    sent: [],
    released: [],
    deferred: [],
    adapted: [],
    shaperReleases: 0,
    adopted: [],
  };
  const deps: PipelineDeps = {
    clock,
    random: () => 0.5,
    logger: silentLogger,
    queue: {
      release: (logId, dueAt) => void h.released.push({ logId, dueAt }),
      leaseGroup: () => o.group ?? [],
    },
    messages: { read: () => ('message' in o ? o.message : message()), forget: () => {} },
    recipients: () => o.emails ?? new Map(),
    router: {
      resolve: () =>
        Promise.resolve(o.resolution ?? { ok: true, source: 'default', destination: DESTINATION }),
    },
    shaper: {
      destinationFor: () => destination,
      admit: (d) => Promise.resolve(o.admission ? o.admission(d) : { kind: 'go', destination: d }),
      release: () => void h.shaperReleases++,
      policyOf: () => TEST_POLICY,
    },
    shaping: {
      defer: (it, admission) => void h.deferred.push({ logId: it.logId, admission }),
      adapt: (_d, outcome) => {
        h.adapted.push(outcome);
        return { bounceQueue: false, handling: o.handling ?? { kind: 'attempt' } };
      },
    },
    composer: createComposer(),
    sender: {
      transmit: (r) => {
        h.sent.push(r);
        return o.transmit
          ? o.transmit(r)
          : Promise.resolve({
              outcomes: r.envelope.to.map(() => reply('250 2.0.0 Ok: queued', 'DATA')),
              dkimDomain: 'sender.test',
            });
      },
    },
    signing: (fromDomain) =>
      fromDomain === 'sender.test'
        ? { domain: 'sender.test', basis: 'from', fromSide: true, rsa: true, ed25519: false }
        : null,
    envelopeSender: {
      forMessage: (_from, logId) => `bounce+${logId}@sender.test`,
      forDelivery: (_from, deliveryId) => `bounce+d${deliveryId}@sender.test`,
    },
    ledger: { push: (outcome) => void h.ledger.push(outcome) },
    adopt: (logIds, done) => {
      const entry = { logIds, settled: false };
      h.adopted.push(entry);
      void done.then(() => (entry.settled = true));
    },
    sandboxAddress: () => null,
    leaseMs: MINUTE,
    internalErrorRetryMs: 5 * MINUTE,
  };
  return Object.assign(h, { deps });
}

describe('the per-message pipeline, port by port', () => {
  it('sends one message through the sender and hands the decided outcome to the ledger', async () => {
    const h = harness();
    await createMessagePipeline(h.deps).process(item(7));

    expect(h.sent).toHaveLength(1);
    const request = h.sent[0]!;
    expect(request.compose).toMatchObject({
      kind: 'one',
      job: { logId: 7, email: 'a@rcpt.test', date: T0 },
    });
    expect(request).toMatchObject({
      logIds: [7],
      envelope: { from: 'bounce+7@sender.test', to: ['a@rcpt.test'] },
      domain: 'sender.test',
      signTime: T0,
      templateJson: FIELD_TEMPLATE,
      destination: DESTINATION,
      policy: TEST_POLICY,
    });
    expect(h.adapted).toHaveLength(1);
    expect(h.shaperReleases).toBe(1);
    expect(h.ledger).toEqual([
      expect.objectContaining({
        logId: 7,
        at: T0,
        disposition: { kind: 'delivered' },
        destination: DESTINATION.key,
        dkimDomain: 'sender.test',
      }),
    ]);
  });

  it('a greylisted message is retried at the policy time of the injected clock, divided by the time scale', async () => {
    const h = harness({
      message: message({ timeScale: 10 }),
      transmit: () =>
        Promise.resolve({ outcomes: [reply('451 4.7.1 Greylisted, try later')], dkimDomain: null }),
    });
    h.clock.advance(MINUTE);
    await createMessagePipeline(h.deps).process(item(8));
    expect(h.ledger[0]?.disposition).toMatchObject({ kind: 'retry', dueAt: T0 + MINUTE + (5 * MINUTE) / 10 });
    expect(h.ledger[0]?.classification).toMatchObject({ type: 'soft' });
  });

  it('a session refused before the message was offered (a connection limit) is no attempt: back to the queue', async () => {
    const h = harness({
      handling: { kind: 'requeue' },
      transmit: () =>
        Promise.resolve({
          outcomes: [reply('421 4.7.0 Error: too many connections from 127.0.0.1', 'CONNECT')],
          dkimDomain: null,
        }),
    });
    await createMessagePipeline(h.deps).process(item(9));
    expect(h.ledger).toEqual([]);
    expect(h.released).toEqual([{ logId: 9, dueAt: T0 }]);
    expect(h.shaperReleases).toBe(1);
  });

  it("a deferral about the destination's pace is retried when the destination can take it, not on the schedule", async () => {
    const h = harness({
      handling: { kind: 'paced', dueAt: T0 + 61_000 },
      transmit: () =>
        Promise.resolve({
          outcomes: [
            reply('421 4.7.0 [TSS04] Messages temporarily deferred due to unexpected volume', 'RCPT'),
          ],
          dkimDomain: null,
        }),
    });
    await createMessagePipeline(h.deps).process(item(10));
    expect(h.ledger[0]?.disposition).toEqual({ kind: 'retry', dueAt: T0 + 61_000, rule: 'destination pace' });
    expect(h.ledger[0]?.attempt?.code).toBe(421);
  });

  it('a paced retry never goes past the validity', async () => {
    const h = harness({
      handling: { kind: 'paced', dueAt: T0 + 2 * 3_600_000 },
      transmit: () =>
        Promise.resolve({ outcomes: [reply('421 4.7.0 rate limited', 'MAIL')], dkimDomain: null }),
    });
    await createMessagePipeline(h.deps).process(item(11, { expiresAt: T0 + 3_600_000 }));
    expect(h.ledger[0]?.disposition).toEqual({ kind: 'retry', dueAt: T0 + 3_600_000, rule: 'validity' });
  });

  it('a message whose validity ended fails with its last reason, without routing or sending', async () => {
    const h = harness();
    h.clock.advance(MINUTE);
    await createMessagePipeline(h.deps).process(item(9, { expiresAt: T0 + MINUTE }));
    expect(h.sent).toHaveLength(0);
    expect(h.ledger).toEqual([
      expect.objectContaining({ logId: 9, disposition: { kind: 'expired' }, attempt: null }),
    ]);
  });

  it('a message deleted with its delivery is dropped: nothing sent, nothing written', async () => {
    const h = harness({ message: undefined });
    await createMessagePipeline(h.deps).process(item(10));
    expect(h.sent).toHaveLength(0);
    expect(h.ledger).toHaveLength(0);
    expect(h.released).toHaveLength(0);
  });

  it('a routing failure is qualified like a reply, with no destination and no shaping', async () => {
    const noMx = reply('550 5.1.2 Domain has no mail exchanger', 'MX');
    const h = harness({ resolution: { ok: false, source: 'mx', outcome: noMx } });
    await createMessagePipeline(h.deps).process(item(11));
    expect(h.sent).toHaveLength(0);
    expect(h.adapted).toHaveLength(0);
    expect(h.ledger).toEqual([
      expect.objectContaining({
        logId: 11,
        destination: null,
        disposition: { kind: 'bounced' },
        attempt: noMx,
      }),
    ]);
  });

  it('a destination that cannot take the message now defers it without an attempt', async () => {
    const h = harness({
      admission: (d) => ({
        kind: 'defer',
        until: T0 + 30 * MINUTE,
        reason: 'suspended',
        scope: 'destination',
        destination: d,
      }),
    });
    await createMessagePipeline(h.deps).process(item(12));
    expect(h.sent).toHaveLength(0);
    expect(h.ledger).toHaveLength(0);
    expect(h.deferred).toEqual([
      { logId: 12, admission: expect.objectContaining({ until: T0 + 30 * MINUTE, scope: 'destination' }) },
    ]);
    // A deferred admission holds no connection slot, so there is none to give back.
    expect(h.shaperReleases).toBe(0);
  });

  it('a message that cannot be composed fails (command COMPOSE) and the slot is given back', async () => {
    const h = harness({ transmit: () => Promise.reject(new ComposeError('unknown field {{first}}')) });
    await createMessagePipeline(h.deps).process(item(13));
    expect(h.shaperReleases).toBe(1);
    expect(h.ledger[0]).toMatchObject({
      logId: 13,
      disposition: { kind: 'bounced' },
      attempt: { kind: 'failed', command: 'COMPOSE', text: expect.stringContaining('unknown field') },
    });
  });

  it('an infrastructure failure (signing, a worker) records no attempt: the message goes back to the queue', async () => {
    const h = harness({ transmit: () => Promise.reject(new Error('the DKIM worker died')) });
    await createMessagePipeline(h.deps).process(item(14));
    expect(h.ledger).toHaveLength(0);
    expect(h.shaperReleases).toBe(1);
    expect(h.released).toEqual([{ logId: 14, dueAt: T0 + 5 * MINUTE }]);
  });

  it('groups due messages of a static template in one transaction; an expired member goes back to the queue', async () => {
    const members = [item(21), item(22, { expiresAt: T0 }), item(23)];
    const h = harness({
      message: message({ templateJson: STATIC_TEMPLATE, recipientsPerTransaction: 4 }),
      group: members,
      emails: new Map([
        [21, 'b@rcpt.test'],
        [23, 'c@rcpt.test'],
      ]),
      transmit: () =>
        Promise.resolve({
          outcomes: [
            reply('250 2.0.0 Ok', 'DATA'),
            reply('550 5.1.1 User unknown'),
            reply('250 2.0.0 Ok', 'DATA'),
          ],
          dkimDomain: null,
        }),
    });
    await createMessagePipeline(h.deps).process(item(20));

    expect(h.released).toEqual([{ logId: 22, dueAt: T0 }]);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toMatchObject({
      compose: { kind: 'shared', deliveryId: 1, date: T0 },
      logIds: [20, 21, 23],
      envelope: { from: 'bounce+d1@sender.test', to: ['a@rcpt.test', 'b@rcpt.test', 'c@rcpt.test'] },
    });
    expect(h.ledger.map((o) => [o.logId, o.disposition.kind])).toEqual([
      [20, 'delivered'],
      [21, 'bounced'],
      [23, 'delivered'],
    ]);
    expect(h.adopted).toEqual([{ logIds: [21, 23], settled: true }]);
    expect(h.shaperReleases).toBe(1);
  });

  it('a template with fields is never grouped: each recipient gets its own message', async () => {
    const h = harness({ message: message({ recipientsPerTransaction: 4 }), group: [item(31)] });
    await createMessagePipeline(h.deps).process(item(30));
    expect(h.sent.map((r) => r.compose.kind)).toEqual(['one']);
    expect(h.adopted).toHaveLength(0);
  });

  it('a group that cannot be composed gives its members back and sends the first message alone', async () => {
    const h = harness({
      message: message({ templateJson: STATIC_TEMPLATE, recipientsPerTransaction: 3 }),
      group: [item(41, { dueAt: T0 - MINUTE })],
      emails: new Map([[41, 'b@rcpt.test']]),
      transmit: (r) =>
        r.compose.kind === 'shared'
          ? Promise.reject(new ComposeError('the shared message could not be built'))
          : Promise.resolve({ outcomes: [reply('250 2.0.0 Ok', 'DATA')], dkimDomain: null }),
    });
    await createMessagePipeline(h.deps).process(item(40));
    expect(h.sent.map((r) => r.compose.kind)).toEqual(['shared', 'one']);
    expect(h.released).toEqual([{ logId: 41, dueAt: T0 - MINUTE }]);
    expect(h.ledger.map((o) => o.logId)).toEqual([40]);
    expect(h.adopted[0]?.settled).toBe(true);
  });
});
