/**
 * The `adaptive` benchmark (issue 12 item 6): against sandbox receivers whose limits the engine is not told
 * (SPEC §8), a delivery of 3,000 messages to one domain through the real engine with the shipped rules and no
 * history, then a second one in the same data dir (it starts from what was learnt). For each: the time until
 * every message is final, the ideal time the receiver's limits allow, their ratio and the refused attempts.
 *
 * The receiver runs in the bench's main process (its counts are read there), each delivery in a child process
 * (`--scenario adaptive-delivery`). The receiver is restarted on the same port between the two deliveries: the
 * same destination for the engine, but no memory of the first run (a penalty box left by it), so the second run
 * shows what the engine learnt and nothing else.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApp } from '../../src/main/app';
import { systemClock } from '../../src/main/clock';
import { startSandbox, type LimitStats, type Sandbox } from '../../src/main/engine/sandbox';
import {
  LIMIT_REPLIES,
  sandboxProfile,
  type HiddenLimits,
  type SandboxProfile,
} from '../../src/main/engine/sandbox/profiles';
import { dataDirLogger } from '../../src/main/logger';
import { CLI_APP } from '../../src/main/node/commands/common';
import { writeTransaction } from '../../src/main/store/db';
import { deleteDelivery } from '../../src/main/store/deliveries-repo';
import { CreateDeliveryInput } from '../../src/shared/contract';

const CTX = { transport: 'ipc' } as const;
export const ADAPTIVE_DOMAIN = 'adaptive.test';
export const ADAPTIVE_MESSAGES = 3_000;
/** A run is stopped at this multiple of its ideal time and reported as not finished. */
export const CAP_FACTOR = 5;
/**
 * The deliveries' time scale: retry back-offs (10 min, 20 min, ... in real time) and the validity are divided
 * by it, so a message refused once is retried about a second later rather than in ten minutes. The shaper's own
 * waits and suspensions are on the real clock (they are what is measured).
 */
export const ADAPTIVE_TIME_SCALE = 600;

export interface AdaptiveReceiver {
  id: string;
  /** The limits in words, for the report. */
  description: string;
  limits: HiddenLimits;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

export const ADAPTIVE_RECEIVERS: readonly AdaptiveReceiver[] = [
  {
    id: 'issue-example',
    description:
      '3 connections (Postfix anvil 421 at the greeting), 50 messages per connection (Exim 421 at MAIL), ' +
      '150 recipients/s (Postfix 450 4.7.1 at RCPT), penalty box: 10 violations in 60 s → 5 min (Yahoo [TSS04] 421)',
    limits: {
      maxConnections: { max: 3, reply: LIMIT_REPLIES.postfixTooManyConnections },
      messagesPerConnection: { max: 50, reply: LIMIT_REPLIES.eximTooManyMessages },
      recipientsPerSecond: { rate: 150, at: 'rcpt', reply: LIMIT_REPLIES.postfixTooManyRecipients },
      penaltyBox: {
        violations: 10,
        windowMs: MINUTE,
        durationMs: 5 * MINUTE,
        greeting: LIMIT_REPLIES.yahooTss04,
        command: LIMIT_REPLIES.yahooTss04,
      },
    },
  },
  {
    id: 'narrow',
    description:
      '2 connections (Microsoft 421 4.3.2 at the greeting), 10 messages per connection (Postfix 450 4.7.1 at ' +
      'MAIL, session kept open), 100 recipients/s checked at MAIL (Microsoft 451 4.7.500 S77714), no penalty box',
    limits: {
      maxConnections: { max: 2, reply: LIMIT_REPLIES.microsoftTooManyConnections },
      messagesPerConnection: { max: 10, reply: LIMIT_REPLIES.postfixTooMuchMail },
      recipientsPerSecond: { rate: 100, at: 'mail', reply: LIMIT_REPLIES.microsoftServerBusy },
    },
  },
  {
    id: 'harsh',
    description:
      '1 connection (Postfix anvil 421), 20 messages per connection (Exim 421), 50 recipients/s (Gmail 450 ' +
      '4.2.1 at RCPT), penalty box: 3 violations in 30 s → 2 min, extended while knocking (Gmail 421 4.7.28)',
    limits: {
      maxConnections: { max: 1, reply: LIMIT_REPLIES.postfixTooManyConnections },
      messagesPerConnection: { max: 20, reply: LIMIT_REPLIES.eximTooManyMessages },
      recipientsPerSecond: { rate: 50, at: 'rcpt', reply: LIMIT_REPLIES.gmailReceivingRate },
      penaltyBox: {
        violations: 3,
        windowMs: 30 * SECOND,
        durationMs: 2 * MINUTE,
        greeting: LIMIT_REPLIES.gmailUnsolicitedRate,
        command: LIMIT_REPLIES.gmailUnsolicitedRate,
      },
    },
  },
];

/**
 * The least time the limits allow for `messages` single-recipient messages: the recipient rate binds (a session
 * closed after its quota of messages can be replaced at once, so connections × messages per connection bound
 * the pace only when there is no rate; then there is no finite ideal and null is returned).
 */
export function idealSeconds(limits: HiddenLimits, messages: number): number | null {
  const rate = limits.recipientsPerSecond?.rate;
  return rate ? messages / rate : null;
}

export interface AdaptiveDeliveryResult {
  deliveryId: number;
  messages: number;
  delivered: number;
  /** Every message final (sent or failed) before the cap. */
  finished: boolean;
  /** From the relay start to the last final outcome (finished) or to the cap. */
  seconds: number;
  /** Attempts recorded in the ledger that the receiver did not accept. */
  ledgerRefused: number;
  /** Shaping log entries of the run, by kind (e.g. throttle, suspend). */
  shaping: Record<string, number>;
}

export interface AdaptiveRun {
  delivery: AdaptiveDeliveryResult | { error: string };
  receiver: LimitStats;
}

export interface AdaptiveResult {
  receiver: AdaptiveReceiver;
  messages: number;
  idealSeconds: number;
  capSeconds: number;
  first: AdaptiveRun;
  second: AdaptiveRun;
}

function recipientsCsv(n: number): string {
  const lines = ['email,first'];
  for (let i = 0; i < n; i++) lines.push(`user${i}@${ADAPTIVE_DOMAIN},U${i}`);
  return lines.join('\n');
}

/** Child side: one delivery to the receiver at `port` in `dataDir`, stopped at `capMs`. */
export async function runAdaptiveDelivery(o: {
  dataDir: string;
  port: number;
  messages: number;
  capMs: number;
}): Promise<AdaptiveDeliveryResult> {
  const app = await openApp({
    ...CLI_APP,
    dataDir: o.dataDir,
    logger: dataDirLogger(o.dataDir),
    sandbox: false,
  });
  let result: AdaptiveDeliveryResult;
  try {
    const input = CreateDeliveryInput.parse({
      name: `adaptive ${o.messages}`,
      template: {
        fromName: 'Bench',
        fromAddress: 'news@bench.example',
        subject: 'Adaptive {{first}}',
        text: 'Hello {{first}},\n\nA short message of the adaptive benchmark.\n',
        html: '',
      },
      recipients: { fileName: 'adaptive.csv', csv: recipientsCsv(o.messages) },
      routes: [{ mask: ADAPTIVE_DOMAIN, target: { kind: 'smtp', host: '127.0.0.1', port: o.port } }],
      timeScale: ADAPTIVE_TIME_SCALE,
      start: true,
    });
    const created = await app.handlers['deliveries.create'](input, CTX);
    const deliveryId = Number(created.delivery.id);
    const db = app.db;
    const completedAt = () =>
      (db.prepare('SELECT completed_at FROM deliveries WHERE id = ?').pluck().get(deliveryId) ?? null) as
        number | null;
    const startedAt = () =>
      db.prepare('SELECT started_at FROM deliveries WHERE id = ?').pluck().get(deliveryId) as number | null;
    const began = Date.now();
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        clearInterval(check);
        unsubscribe();
        resolve();
      };
      const timer = setTimeout(finish, o.capMs);
      // Events say when to look; the slow interval only guards against a missed event.
      const check = setInterval(() => completedAt() !== null && finish(), 1000);
      const unsubscribe = app.bus.subscribe((event) => {
        if (event === 'delivery.changed' && completedAt() !== null) finish();
      });
    });
    const end = completedAt();
    const start = startedAt() ?? began;
    const delivered = db
      .prepare(
        `SELECT COUNT(DISTINCT a.log_id) FROM attempts a JOIN delivery_log l ON l.id = a.log_id
          WHERE l.delivery_id = ? AND a.outcome = 'accepted'`,
      )
      .pluck()
      .get(deliveryId) as number;
    const ledgerRefused = db
      .prepare(
        `SELECT COUNT(*) FROM attempts a JOIN delivery_log l ON l.id = a.log_id
          WHERE l.delivery_id = ? AND a.outcome <> 'accepted'`,
      )
      .pluck()
      .get(deliveryId) as number;
    const shaping = Object.fromEntries(
      (
        db
          .prepare('SELECT kind, COUNT(*) AS n FROM shaping_events WHERE at >= ? GROUP BY kind')
          .all(start) as { kind: string; n: number }[]
      ).map((r) => [r.kind, r.n]),
    );
    result = {
      deliveryId,
      messages: o.messages,
      delivered,
      finished: end !== null,
      seconds: ((end ?? Date.now()) - start) / 1000,
      ledgerRefused,
      shaping,
    };
  } finally {
    await app.close();
  }
  if (!result.finished) await dropUnfinished(o.dataDir, result.deliveryId);
  return result;
}

/**
 * An unfinished run leaves messages queued (e.g. behind a suspension): they are deleted with their delivery,
 * engine off, so the next run starts with an empty queue and only what the engine learnt.
 */
async function dropUnfinished(dataDir: string, deliveryId: number): Promise<void> {
  const app = await openApp({
    ...CLI_APP,
    dataDir,
    logger: dataDirLogger(dataDir),
    sandbox: false,
    engine: false,
  });
  try {
    writeTransaction(app.db, () => deleteDelivery(app.db, deliveryId))();
  } finally {
    await app.close();
  }
}

type InChild = <T>(name: 'adaptive-delivery', input: object, timeoutMs: number) => Promise<T>;

/** Main side: both deliveries against one receiver, the receiver's counts read after each. */
export async function runAdaptiveReceiver(
  receiver: AdaptiveReceiver,
  inChild: InChild,
  messages = ADAPTIVE_MESSAGES,
): Promise<AdaptiveResult> {
  const ideal = idealSeconds(receiver.limits, messages);
  if (ideal === null) throw new Error(`adaptive receiver ${receiver.id}: no recipient rate, no ideal time`);
  const capMs = Math.round(ideal * CAP_FACTOR * 1000);
  const profile: SandboxProfile = sandboxProfile({
    id: 'adaptive',
    name: receiver.id,
    domains: [ADAPTIVE_DOMAIN],
    limits: receiver.limits,
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-adaptive-'));
  let port = 0;
  const run = async (): Promise<AdaptiveRun> => {
    const sandbox: Sandbox = await startSandbox({ clock: systemClock, profiles: [profile], port });
    port = sandbox.port;
    try {
      const delivery = await inChild<AdaptiveDeliveryResult>(
        'adaptive-delivery',
        { dataDir, port, messages, capMs },
        capMs + 120_000,
      ).catch((err: unknown) => ({
        error: err instanceof Error ? err.message.split('\n')[0]! : String(err),
      }));
      const stats = sandbox.stats()[0];
      if (!stats) throw new Error('the receiver has no stats');
      return { delivery, receiver: stats };
    } finally {
      await sandbox.close();
    }
  };
  try {
    const first = await run();
    const second = await run();
    return { receiver, messages, idealSeconds: ideal, capSeconds: capMs / 1000, first, second };
  } finally {
    // RELAYDECK_BENCH_KEEP=1 keeps the data dir (its log and store) for diagnosis.
    if (process.env.RELAYDECK_BENCH_KEEP) console.error(`bench: adaptive: data dir kept: ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const n1 = (x: number) => x.toFixed(1);

/** Refusals the receiver counted (connections, MAIL, RCPT, penalty box), in total and by kind. */
function receiverRefusals(s: LimitStats): { total: number; detail: string } {
  const total = s.connectionsRefused + s.mailDeferred + s.rcptDeferred + s.penaltyRefusals;
  const detail = `greeting ${n0(s.connectionsRefused)}, MAIL ${n0(s.mailDeferred)}, RCPT ${n0(s.rcptDeferred)}, penalty box ${n0(s.penaltyRefusals)} (boxed ${s.penaltyBoxed}×)`;
  return { total, detail };
}

function runRow(r: AdaptiveResult, label: string, run: AdaptiveRun): string[] {
  const refused = receiverRefusals(run.receiver);
  const receiverCell = `${n0(refused.total)} (${refused.detail}); peak ${run.receiver.peakConnections} sessions`;
  if ('error' in run.delivery)
    return [
      r.receiver.id,
      label,
      `failed: ${run.delivery.error}`,
      '—',
      '—',
      '—',
      receiverCell,
      '—',
      '—',
      'not run',
    ];
  const d = run.delivery;
  const time = d.finished
    ? `${n1(d.seconds)} s`
    : `did not finish: ${n0(d.delivered)} of ${n0(d.messages)} delivered in ${n1(d.seconds)} s`;
  const ratio = d.seconds / r.idealSeconds;
  const shaping = Object.entries(d.shaping)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const ok =
    d.finished && ratio <= 2 && refused.total < 0.03 * d.messages && d.ledgerRefused < 0.03 * d.messages;
  return [
    r.receiver.id,
    label,
    time,
    `${n1(r.idealSeconds)} s`,
    d.finished ? `${n1(ratio)}×` : `> ${n1(ratio)}×`,
    `${n0(d.delivered)} / ${n0(d.messages)}`,
    receiverCell,
    n0(d.ledgerRefused),
    shaping || '—',
    ok ? 'met' : '**missed**',
  ];
}

export function adaptiveTable(results: readonly AdaptiveResult[]): string {
  const head = [
    'Receiver',
    'Run',
    'Time until every message is final',
    'Ideal',
    'Ratio',
    'Delivered',
    'Refused by the receiver',
    'Refused attempts (ledger)',
    'Shaping log (by kind)',
    'Target: ≤ 2×, refused < 3 %',
  ];
  const rows = results.flatMap((r) => [
    runRow(r, '1st (shipped rules, no history)', r.first),
    runRow(r, '2nd (same data dir)', r.second),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function adaptiveMarkdown(
  results: readonly AdaptiveResult[],
  facts: Record<string, string>,
  date: Date,
): string {
  return `## Adaptive delivery against hidden limits

Written by \`npm run bench\` (\`test/bench/adaptive.ts\`, issue 12); \`node out/bench/index.cjs --adaptive-only\` runs
this section alone. One run on ${facts.CPU ?? 'this machine'} (${facts.Cores ?? '?'} cores), Node ${facts.Node ?? '?'}, commit ${facts.Commit ?? 'unknown'}, ${date.toISOString()}.

${adaptiveTable(results)}

### Receivers

Sandbox receivers (\`src/main/engine/sandbox/limits.ts\`) on 127.0.0.1, each serving the one domain
\`${ADAPTIVE_DOMAIN}\`, with limits the engine is not told about, answered with real receivers' texts:

${results.map((r) => `- **${r.receiver.id}**: ${r.receiver.description}.`).join('\n')}

### What is measured

- A delivery of ${n0(results[0]?.messages ?? ADAPTIVE_MESSAGES)} single-recipient messages to \`${ADAPTIVE_DOMAIN}\`, routed to the receiver (a
  static route to 127.0.0.1:PORT, so the shipped \`loopback\` MX rule applies: 25 connections, 10,000 messages per
  connection, no hourly limit), through the real code path (\`openApp\`, SQLite store, engine, SMTP relay), in a
  fresh data dir: shipped rules, no history. Then a second delivery in the same data dir, in a new process, which
  starts from what the engine learnt (\`destination_state\`, \`destination_days\`).
- **Time**: from the delivery's relay start (\`deliveries.started_at\`) until it is complete (every message sent or
  failed, \`completed_at\`). **Ideal**: messages / the receiver's recipient rate (a session closed
  after its quota of messages can be replaced at once, so connections and messages per connection cost no time
  of their own to a sender that keeps within them). **Ratio** = time / ideal. The receiver's rate bucket starts
  full (one second of its rate), so the true minimum is one second under the ideal: a ratio of 1.0× (even a
  time a little under the ideal) is a sender that kept exactly to the receiver's rate from the start.
- Each run is stopped at ${CAP_FACTOR}× its ideal time and then reported as "did not finish"; its delivery is
  then deleted (engine off) so that the second run does not inherit its queue, only what was learnt.
- **Refused by the receiver**: connections refused at the greeting, MAIL and RCPT deferred, and connections or
  commands refused while in the penalty box, as the receiver counted them. **Refused attempts (ledger)**: the
  \`attempts\` rows of the delivery whose outcome is not \`accepted\` (what the engine recorded as attempts).
- **Retries**: the deliveries run with time scale ${ADAPTIVE_TIME_SCALE}: retry back-offs (10 min, 20 min, … real time) and the
  validity are divided by it, so a message refused once is retried seconds later instead of minutes; without it
  any refusal would cost ten minutes whatever the shaping. The shaper's waits and suspensions are not scaled:
  they run on the real clock and are what this section measures.
- The receiver is restarted on the same port between the two runs: the same destination for the engine, no
  penalty box carried over from the first run.
`;
}
