/**
 * Entry point of a delivery worker (bundled to out/main/delivery-worker.cjs). It holds the DKIM keys and the
 * templates it was sent and its own SMTP sessions (a destination pool of SMTP relays, the same code as the
 * in-process path, on the system clock). A `transmit` request is a whole attempt: compose the message from its
 * delivery's template, sign it when its domain has keys, send it on a session kept open to the destination,
 * and answer only the outcomes; `compose` and `sign` answer the bytes. Every request is answered, failures as
 * values; replies of one tick go back as one post.
 */
import { parentPort } from 'node:worker_threads';
import type { Logger, LogFields, LogLevel } from '../../logger';
import { systemClock } from '../../clock';
import { signMessage, type DomainKeys } from '../dkim/signing';
import { ComposeError, createComposer } from '../relay/compose';
import { createDestinationPool, type DestinationPool } from '../relay/destination-pool';
import { createSmtpRelayFactory } from '../relay/smtp-relay';
import type { ComposeSpec, TransmitJob } from '../types';
import { asBuffer, createBatcher, transferable, type FromWorker, type ToWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('delivery-worker must run in a worker thread');

const outbox = createBatcher<FromWorker>((items, transfer) => port.postMessage(items, transfer));
const reply = (msg: FromWorker, transfer?: ArrayBuffer[]) => outbox.push(msg, transfer);

let keys = new Map<string, DomainKeys>();
const templates = new Map<number, string>();
const composer = createComposer();
const logger = forwardingLogger({});
/** Destinations whose session count changed since the last reply batch (reported once per batch). */
const changed = new Set<string>();
let relays: DestinationPool | null = null;
let relayIdleMs = 5_000;

/** The worker's SMTP relays, made on the first send (after `config`). */
function relaysOf(): DestinationPool {
  relays ??= createDestinationPool({
    relayFactory: createSmtpRelayFactory({
      clock: systemClock,
      logger,
      onSessionsChanged: (key) => {
        if (changed.size === 0) queueMicrotask(reportSessions);
        changed.add(key);
      },
    }),
    clock: systemClock,
    logger,
    idleMs: relayIdleMs,
  });
  return relays;
}

function reportSessions(): void {
  for (const key of changed) reply({ kind: 'sessions', key, open: relays?.openConnections(key) ?? 0 });
  changed.clear();
}

function forwardingLogger(base: LogFields): Logger {
  const write = (level: LogLevel) => (msg: string, fields?: LogFields) =>
    reply({ kind: 'log', level, msg, fields: { ...base, ...fields } });
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => forwardingLogger({ ...base, ...more }),
  };
}

function failed(id: number, err: unknown, kind: 'failed' | 'compose-failed' = 'failed'): void {
  reply({ kind, id, message: err instanceof Error ? err.message : String(err) });
}

function signed(raw: Buffer, domain: string | null, signTime: number) {
  const domainKeys = domain === null ? undefined : keys.get(domain);
  return {
    raw: domainKeys ? signMessage(raw, domainKeys, new Date(signTime)) : raw,
    dkimDomain: domainKeys ? domain : null,
  };
}

/** Composes a message from the template this worker was sent; throws a `ComposeError` for a bad one. */
async function compose(spec: ComposeSpec): Promise<Buffer> {
  const deliveryId = spec.kind === 'one' ? spec.job.deliveryId : spec.deliveryId;
  const templateJson = templates.get(deliveryId);
  if (templateJson === undefined) throw new Error(`no template was sent for delivery ${deliveryId}`);
  const composed =
    spec.kind === 'one'
      ? await composer.compose({ ...spec.job, templateJson, date: new Date(spec.job.date) })
      : await composer.composeShared({
          deliveryId,
          messageId: spec.messageId,
          templateJson,
          date: new Date(spec.date),
        });
  return composed.raw;
}

/** Composes and signs; answers the failure itself and returns null when either failed. */
async function prepared(id: number, spec: ComposeSpec, domain: string | null, signTime: number) {
  let raw: Buffer;
  try {
    raw = await compose(spec);
  } catch (err) {
    failed(id, err, err instanceof ComposeError ? 'compose-failed' : 'failed');
    return null;
  }
  try {
    return signed(raw, domain, signTime);
  } catch (err) {
    failed(id, err);
    return null;
  }
}

async function composeOnly(msg: Extract<ToWorker, { kind: 'compose' }>): Promise<void> {
  const out = await prepared(msg.id, { kind: 'one', job: msg.job }, msg.domain, msg.signTime);
  if (!out) return;
  const { bytes, transfer } = transferable(out.raw);
  reply({ kind: 'signed', id: msg.id, raw: bytes, dkimDomain: out.dkimDomain }, transfer);
}

async function transmit(id: number, job: TransmitJob): Promise<void> {
  const out = await prepared(id, job.compose, job.domain, job.signTime);
  if (!out) return;
  try {
    const outcomes = await relaysOf().sendGroup(job.destination, {
      logIds: job.logIds,
      envelope: job.envelope,
      raw: out.raw,
      policy: job.policy,
    });
    reply({ kind: 'transmitted', id, outcomes, dkimDomain: out.dkimDomain });
  } catch (err) {
    failed(id, err);
  }
}

async function close(): Promise<void> {
  await relays?.close();
  reportSessions();
  reply({ kind: 'closed' });
  outbox.flush();
}

function handle(msg: ToWorker): void {
  switch (msg.kind) {
    case 'config':
      relayIdleMs = msg.relayIdleMs;
      return;
    case 'keys':
      keys = new Map(msg.keys.map((k) => [k.domain, k]));
      return;
    case 'template':
      templates.set(msg.deliveryId, msg.json);
      return;
    case 'forget':
      templates.delete(msg.deliveryId);
      composer.forget(msg.deliveryId);
      return;
    case 'sign':
      try {
        const out = signed(asBuffer(msg.raw), msg.domain, msg.signTime);
        const { bytes, transfer } = transferable(out.raw);
        reply({ kind: 'signed', id: msg.id, raw: bytes, dkimDomain: out.dkimDomain }, transfer);
      } catch (err) {
        failed(msg.id, err);
      }
      return;
    case 'compose':
      void composeOnly(msg);
      return;
    case 'transmit':
      void transmit(msg.id, msg.job);
      return;
    case 'trim':
      relays?.trim(msg.key, msg.maxConnections);
      return;
    case 'close':
      void close();
      return;
  }
}

port.on('message', (batch: ToWorker[]) => {
  for (const msg of batch) handle(msg);
});
