/**
 * Two ports of the pipeline with fakes on a manual clock: the in-process `Sender` (compose, sign, send through
 * the destination pool) and the shaping step (what the shaper's decisions do to queued messages).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/clock';
import { silentLogger } from '../../src/main/logger';
import type { MessageOutcome } from '../../src/main/engine/feedback/apply-outcomes';
import { createShapingStep } from '../../src/main/engine/pipeline/shaping';
import { createComposer } from '../../src/main/engine/relay/compose';
import type { DestinationPool } from '../../src/main/engine/relay/destination-pool';
import { createInProcessSender } from '../../src/main/engine/relay/in-process-sender';
import { DestinationRuntime, type ShapingChange } from '../../src/main/engine/shaper/destination';
import type {
  MessageSigner,
  OutboundGroup,
  OutboundMessage,
  TransmitRequest,
} from '../../src/main/engine/types';
import type { LeasedItem } from '../../src/main/store/queue-repo';
import { MxRule } from '../../src/shared/contract/mta';
import { reply, TEST_POLICY } from '../support/engine-fakes';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const TEMPLATE = JSON.stringify({
  fromName: 'News',
  fromAddress: 'news@mail.sender.test',
  subject: 'Hello {{first}}',
  text: 'Hello {{first}}',
  html: '',
});
const DESTINATION = { key: 'smtp:relay.test:25', hosts: [{ host: 'relay.test', port: 25 }] };

function recordingPool(): DestinationPool & { singles: OutboundMessage[]; groups: OutboundGroup[] } {
  const singles: OutboundMessage[] = [];
  const groups: OutboundGroup[] = [];
  return {
    singles,
    groups,
    send: (_d, m) => {
      singles.push(m);
      return Promise.resolve(reply('250 2.0.0 Ok', 'DATA'));
    },
    sendGroup: (_d, g) => {
      groups.push(g);
      return Promise.resolve(g.envelope.to.map(() => reply('250 2.0.0 Ok', 'DATA')));
    },
    openConnections: () => 3,
    trim: () => undefined,
    close: () => Promise.resolve(),
    size: () => 1,
  };
}

function recordingSigner(): MessageSigner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    sign: (raw, fromDomain) => {
      calls.push(`sign ${fromDomain}`);
      return Promise.resolve({
        raw: Buffer.concat([Buffer.from('DKIM-Signature: x\r\n'), raw]),
        dkimDomain: 'sender.test',
      });
    },
    signingDomain: () => 'sender.test',
    choose: () => ({ domain: 'sender.test', basis: 'from', fromSide: true, rsa: true, ed25519: false }),
    composeAndSign: (job, _templateJson, fromDomain) => {
      calls.push(`composeAndSign ${job.logId} ${fromDomain}`);
      return Promise.resolve({ raw: Buffer.from('signed'), dkimDomain: 'sender.test' });
    },
    forget: () => {},
  };
}

function oneRequest(): TransmitRequest {
  return {
    compose: {
      kind: 'one',
      job: {
        deliveryId: 1,
        logId: 5,
        email: 'a@rcpt.test',
        messageId: '<5@x>',
        fieldsJson: '{"first":"Zoé"}',
        date: T0,
      },
    },
    domain: 'sender.test',
    signTime: T0,
    logIds: [5],
    envelope: { from: 'bounce@sender.test', to: ['a@rcpt.test'] },
    destination: DESTINATION,
    policy: TEST_POLICY,
    templateJson: TEMPLATE,
  };
}

describe('the in-process sender', () => {
  it("composes one recipient's message and sends it alone through the pool, with the policy", async () => {
    const pool = recordingPool();
    const sender = createInProcessSender({ composer: createComposer(), pool });
    const result = await sender.transmit(oneRequest());
    expect(result.dkimDomain).toBeNull();
    expect(result.outcomes).toHaveLength(1);
    expect(pool.singles).toHaveLength(1);
    expect(pool.singles[0]).toMatchObject({
      logId: 5,
      envelope: { from: 'bounce@sender.test', to: 'a@rcpt.test' },
      policy: TEST_POLICY,
    });
    const raw = pool.singles[0]!.raw.toString();
    expect(raw).toContain('Subject: =?UTF-8?Q?Hello_Zo=C3=A9?=');
    expect(raw).toContain('a@rcpt.test');
    expect(sender.openConnections(DESTINATION.key)).toBe(3);
  });

  it('with a signer, one message is composed and signed by the signer for its From domain', async () => {
    const pool = recordingPool();
    const signer = recordingSigner();
    const sender = createInProcessSender({ composer: createComposer(), signer, pool });
    const result = await sender.transmit(oneRequest());
    expect(signer.calls).toEqual(['composeAndSign 5 mail.sender.test']);
    expect(result.dkimDomain).toBe('sender.test');
    expect(pool.singles[0]?.raw.toString()).toBe('signed');
  });

  it('a shared message is composed once, signed, and sent as one transaction to every recipient', async () => {
    const pool = recordingPool();
    const signer = recordingSigner();
    const sender = createInProcessSender({ composer: createComposer(), signer, pool });
    const result = await sender.transmit({
      ...oneRequest(),
      compose: { kind: 'shared', deliveryId: 1, messageId: '<5@x>', date: T0 },
      logIds: [5, 6],
      envelope: { from: 'bounce@sender.test', to: ['a@rcpt.test', 'b@rcpt.test'] },
      templateJson: JSON.stringify({ ...JSON.parse(TEMPLATE), subject: 'Hello', text: 'Hello' }),
    });
    expect(signer.calls).toEqual(['sign mail.sender.test']);
    expect(result.outcomes).toHaveLength(2);
    expect(pool.singles).toHaveLength(0);
    expect(pool.groups).toHaveLength(1);
    const raw = pool.groups[0]!.raw.toString();
    expect(raw.startsWith('DKIM-Signature: x\r\n')).toBe(true);
    expect(raw).toContain('To: undisclosed-recipients:;');
    expect(pool.groups[0]).toMatchObject({
      logIds: [5, 6],
      envelope: { to: ['a@rcpt.test', 'b@rcpt.test'] },
    });
  });
});

interface QueueCall {
  op: string;
  args: unknown[];
}

function shapingHarness(changes: ShapingChange[] = [], queued: LeasedItem[] = []) {
  const clock = new ManualClock(T0);
  const calls: QueueCall[] = [];
  const pushed: MessageOutcome[] = [];
  let flushes = 0;
  let leased = false;
  const step = createShapingStep({
    clock,
    logger: silentLogger,
    queue: {
      release: (...args) => void calls.push({ op: 'release', args }),
      deferDomains: (...args) => {
        calls.push({ op: 'deferDomains', args });
        return 4;
      },
      spreadDomains: (...args) => {
        calls.push({ op: 'spreadDomains', args });
        return 2;
      },
      leaseDomains: (...args) => {
        calls.push({ op: 'leaseDomains', args });
        if (leased) return [];
        leased = true;
        return queued;
      },
    },
    shaper: { observe: () => ({ changes, handling: { kind: 'attempt' } }) },
    feedback: { push: (o) => void pushed.push(o), flush: () => void flushes++ },
    leaseMs: MINUTE,
  });
  const d = new DestinationRuntime(DESTINATION, 'smtp', T0);
  d.noteDomain('rcpt.test');
  return { clock, calls, pushed, step, d, flushes: () => flushes };
}

describe('the shaping step', () => {
  it("a message-scoped wait moves only the message; a suspension moves its destination's queue too", () => {
    const h = shapingHarness();
    h.step.defer(
      { logId: 1 },
      { kind: 'defer', until: T0 + MINUTE, reason: 'busy', scope: 'message', destination: h.d },
    );
    expect(h.calls).toEqual([{ op: 'release', args: [1, T0 + MINUTE] }]);

    h.calls.length = 0;
    const until = T0 + 30 * MINUTE;
    h.step.defer(
      { logId: 2 },
      { kind: 'defer', until, reason: 'suspended', scope: 'destination', destination: h.d },
    );
    expect(h.calls).toEqual([
      { op: 'release', args: [2, until] },
      { op: 'deferDomains', args: [['rcpt.test'], until, T0] },
    ]);
  });

  it("an hourly limit spreads the destination's queue one token interval apart", () => {
    const h = shapingHarness();
    h.d.applyRules(ruleWithRate(60), [], T0);
    const interval = h.d.intervalMs();
    expect(interval).toBe(MINUTE);
    h.step.defer(
      { logId: 3 },
      { kind: 'defer', until: T0 + MINUTE, reason: 'rate', scope: 'spread', destination: h.d },
    );
    expect(h.calls[1]).toEqual({ op: 'spreadDomains', args: [['rcpt.test'], T0 + 2 * MINUTE, MINUTE, T0] });
  });

  it('a reply that changes nothing leaves the queue alone', () => {
    const h = shapingHarness([]);
    expect(h.step.adapt(h.d, reply('250 2.0.0 Ok', 'DATA')).bounceQueue).toBe(false);
    expect(h.calls).toEqual([]);
  });

  it('bounce_queue fails every queued message of the destination through the ledger, naming the rule', () => {
    const queued = [1, 2, 3].map((logId) => ({
      logId,
      deliveryId: 9,
      domain: 'rcpt.test',
      dueAt: T0,
      expiresAt: T0 + MINUTE,
      attempts: 0,
    }));
    const h = shapingHarness(
      [{ kind: 'queue_bounced', cause: 'rule', detail: { rule: 'blocklisted' } }],
      queued,
    );
    const trigger = reply('554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org');
    expect(h.step.adapt(h.d, trigger).bounceQueue).toBe(true);
    expect(h.pushed.map((o) => [o.logId, o.disposition.kind])).toEqual([
      [1, 'bounced'],
      [2, 'bounced'],
      [3, 'bounced'],
    ]);
    expect(h.pushed[0]?.attempt).toMatchObject({
      command: 'QUEUE',
      code: 554,
      text: expect.stringContaining('automation rule "blocklisted"'),
    });
    expect(h.flushes()).toBe(1);
  });
});

function ruleWithRate(messagesPerHour: number): MxRule {
  return MxRule.parse({
    id: 'test',
    match: { kind: 'mx', mask: '*' },
    maxConnections: 5,
    maxMessagesPerConnection: 100,
    messagesPerHour,
    timeouts: { connectMs: 30_000, commandMs: 30_000, dataMs: 60_000 },
    tls: 'opportunistic',
  });
}
