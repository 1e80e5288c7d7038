/**
 * The engine's composition root: durable queue + scheduler -> routing -> composition -> SMTP relay per
 * destination -> classifier + retry policy -> feedback (EFS) in batched transactions -> push notifications.
 * Everything outside (clock, DNS, relay transport, store, logger) comes in through `deps`.
 */
import { z } from 'zod';
import { HostPort, Route } from '../../shared/contract';
import type { Logger } from '../logger';
import { classifyReplyWithRule } from './bounce/basic-classifier';
import { createFeedbackBuffer } from './feedback/feedback-buffer';
import { decideOutcome, expiredOutcome } from './pipeline/decide';
import type { EngineRegistration } from '../store/engine-instances-repo';
import { createEngineStore } from '../store/engine-store';
import type { LeasedItem } from '../store/queue-repo';
import { createScheduler } from './queue/scheduler';
import { ComposeError, createComposer } from './relay/compose';
import { createDestinationPool } from './relay/destination-pool';
import { createMxResolver } from './relay/mx';
import { createRouter, type DeliveryRouting, type Resolution } from './relay/routing';
import type { Disposition } from './retry/policy';
import type { DestinationKind, DestinationRuntime } from './shaper/destination';
import { createShaper, type Admission } from './shaper/shaper';
import { createRevisionWatcher } from '../store/revision-watcher';
import {
  DEFAULT_ENGINE_OPTIONS,
  type Destination,
  type Engine,
  type RelayPolicy,
  type EngineDeps,
  type EngineExtras,
  type EngineOptions,
  type SmtpOutcome,
  type TransmitRequest,
} from './types';

export { applyOutcomes, type MessageOutcome } from './feedback/apply-outcomes';
export { createSmtpRelayFactory, type SmtpRelayOptions } from './relay/smtp-relay';
export { nodeDns } from './relay/node-dns';
export { systemClock, ManualClock, type Clock } from '../clock';
export * from './types';

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** What a message's sending needs of its delivery (the same for all its messages). */
interface DeliveryFields {
  template_json: string;
  routing: DeliveryRouting;
  time_scale: number;
  recipients_per_transaction: number;
}

interface MessageRow extends DeliveryFields {
  email: string;
  fields_json: string;
  message_id: string | null;
}

const RoutesJson = z.array(Route);

export function createEngine(deps: EngineDeps & EngineExtras): Engine {
  const options: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, ...deps.options };
  const random = deps.random ?? Math.random;
  const { clock } = deps;
  // The engine's one way to the store: it holds no SQL and no database handle of its own.
  const store = createEngineStore(deps.db);
  const log: Logger = deps.logger.child({ component: 'engine' });

  const { queue } = store;
  const router = createRouter({
    mx: createMxResolver({ dns: deps.dns, clock, cacheMs: options.mxCacheMs, random }),
    defaultRoute: deps.defaultRoute,
    sandboxAddress: deps.sandboxAddress,
  });
  const composer = createComposer();
  const pool = createDestinationPool({
    relayFactory: deps.relayFactory,
    clock,
    logger: log,
    idleMs: options.relayIdleMs,
  });
  const shaper = createShaper({
    store,
    clock,
    logger: log,
    revisions: deps.revisions ?? createRevisionWatcher({ db: deps.db, clock }),
    rules: store.loadRules(),
    shortWaitMs: options.shortWaitMs,
    waitersPerDestination: options.waitersPerDestination,
    parked: (delta) => scheduler.parked(delta),
    wake: () => scheduler.wake(),
  });
  const idleWaiters: (() => void)[] = [];
  // A delivery's template and routing never change once it is created: they are read (and the routing parsed)
  // once per delivery, not with every message (the template is kilobytes). `created_at` tells a reused id apart.
  const deliveryCache = new Map<number, DeliveryFields & { createdAt: number }>();

  const feedback = createFeedbackBuffer({
    store,
    clock,
    notify: deps.notify,
    logger: log,
    flushMs: options.feedbackFlushMs,
    maxBatch: options.feedbackBatchSize,
    retryMs: options.feedbackRetryMs,
    leaseMs: options.leaseMs,
    onFlushed(result) {
      for (const id of result.completed) {
        composer.forget(id);
        deps.signer?.forget(id);
        deps.transmitter?.forget(id);
        deliveryCache.delete(id);
      }
      scheduler.wake();
      checkIdle();
    },
  });

  const scheduler = createScheduler({
    clock,
    queue,
    logger: log,
    maxInFlight: options.maxInFlight,
    maxParked: options.maxParked,
    leaseBatch: options.leaseBatch,
    leaseMs: options.leaseMs,
    excludedDomains: () => shaper.excludedDomains(),
    process: processSafely,
  });

  async function processSafely(item: LeasedItem): Promise<void> {
    try {
      await processItem(item);
    } catch (err) {
      // A bug or an infrastructure failure, not an SMTP outcome: no attempt is recorded, the message is
      // given back and tried again later (its validity still applies).
      const dueAt = clock.now() + options.internalErrorRetryMs;
      log.error('processing a message failed; it will be retried', { logId: item.logId, dueAt, err });
      queue.release(item.logId, dueAt);
    }
  }

  async function processItem(item: LeasedItem): Promise<void> {
    if (clock.now() >= item.expiresAt) {
      log.info('validity ended: message failed with its last reason', {
        logId: item.logId,
        deliveryId: item.deliveryId,
      });
      feedback.push(expiredOutcome(clock, item));
      return;
    }
    const row = messageRow(item);
    if (!row) return; // the log row was deleted with its delivery; the queue row went with it
    const resolution = await router.resolve(item.domain, row.routing);
    let sent: { outcome: SmtpOutcome; dkimDomain: string | null };
    let destination: DestinationRuntime | null = null;
    if (resolution.ok) {
      destination = shaper.destinationFor(resolution.destination, kindOf(resolution), item.domain);
      const admission = await shaper.admit(destination);
      if (admission.kind === 'defer') {
        deferWithoutAttempt(item, admission);
        return;
      }
      try {
        if (await deliveredAsGroup(item, row, resolution, destination)) return;
        sent = await deliver(item, row, resolution.destination, shaper.policyOf(destination));
      } finally {
        shaper.release(destination);
      }
    } else {
      sent = { outcome: resolution.outcome, dkimDomain: null };
    }
    finish(item, row, resolution, destination, sent.outcome, sent.dkimDomain);
  }

  /** After an attempt: adaptive shaping, qualification, retry decision, feedback. */
  function finish(
    item: LeasedItem,
    row: Pick<MessageRow, 'time_scale'>,
    resolution: Resolution,
    destination: DestinationRuntime | null,
    outcome: SmtpOutcome,
    dkimDomain: string | null,
  ): void {
    // bounce_queue: the triggering message fails with the rest of its destination's queue.
    const bounceQueue = destination !== null && adapt(destination, outcome);
    const decided = decideOutcome(
      { clock, random, classifier: deps.bounceClassifier },
      {
        item,
        timeScale: row.time_scale,
        outcome,
        destination: resolution.ok ? resolution.destination.key : null,
        dkimDomain,
        bounceQueue,
      },
    );
    logDecision(item, resolution.source, outcome, decided.disposition);
    feedback.push(decided);
  }

  /**
   * Multi-recipient transactions (opt-in per delivery, `recipients_per_transaction` > 1). When the delivery's
   * template has no `{{field}}` at all, every recipient gets the same bytes, so up to N due messages of the
   * same delivery and recipient domain share one transaction: one MAIL FROM, one RCPT each, one DATA of the
   * message composed once (`To: undisclosed-recipients:;`, the first message's Message-ID, a trace header
   * naming the delivery). Each recipient keeps its own outcome: refused at RCPT it fails or is deferred
   * alone; the DATA reply applies to every accepted one. Per-recipient transactions stay the default because
   * per-message return paths and Message-IDs (asynchronous bounce matching) need them.
   * Returns false when there is nothing to group with (the caller sends the message alone).
   */
  async function deliveredAsGroup(
    item: LeasedItem,
    row: MessageRow,
    resolution: Extract<Resolution, { ok: true }>,
    d: DestinationRuntime,
  ): Promise<boolean> {
    if (row.recipients_per_transaction <= 1 || !isStaticTemplate(item.deliveryId, row.template_json))
      return false;
    const now = clock.now();
    const members: LeasedItem[] = [];
    for (const extra of queue.leaseGroup(
      item.deliveryId,
      item.domain,
      now,
      now + options.leaseMs,
      row.recipients_per_transaction - 1,
    )) {
      // Each recipient counts against the hourly limit; one that has no token now waits in the queue.
      if (now >= extra.expiresAt || d.reserve(now) > 0) {
        if (now < extra.expiresAt) d.unreserve();
        queue.release(extra.logId, extra.dueAt);
      } else {
        members.push(extra);
      }
    }
    if (members.length === 0) return false;
    let settle!: () => void;
    scheduler.adopt(
      members.map((m) => m.logId),
      new Promise<void>((resolve) => (settle = resolve)),
    );
    try {
      const rows = loadRecipients(members.map((m) => m.logId));
      const group = [item, ...members.filter((m) => rows.has(m.logId))];
      const emails = [row.email, ...group.slice(1).map((m) => rows.get(m.logId) ?? '')];
      // The template compiled (isStatic above), so its From address is known.
      const from = composer.fromAddress(item.deliveryId, row.template_json);
      let sent: { outcomes: SmtpOutcome[]; dkimDomain: string | null };
      try {
        sent = await sendShared(item, row, from, {
          logIds: group.map((m) => m.logId),
          envelope: { from: deps.envelopeSender?.forDelivery(from, item.deliveryId) ?? from, to: emails },
          destination: resolution.destination,
          policy: shaper.policyOf(d),
        });
      } catch (err) {
        if (!(err instanceof ComposeError)) throw err;
        // The first message is then composed alone (and reports the error); the others wait their turn.
        for (const m of group.slice(1)) queue.release(m.logId, m.dueAt);
        return false;
      }
      group.forEach((m, i) => {
        const outcome = sent.outcomes[i];
        if (outcome) finish(m, row, resolution, d, outcome, sent.dkimDomain);
      });
      return true;
    } finally {
      settle();
    }
  }

  function isStaticTemplate(deliveryId: number, templateJson: string): boolean {
    try {
      return composer.isStatic(deliveryId, templateJson);
    } catch (err) {
      if (err instanceof ComposeError) return false; // reported when the message is composed alone
      throw err;
    }
  }

  function loadRecipients(logIds: readonly number[]): Map<number, string> {
    return store.recipients(logIds);
  }

  /**
   * One message composed for a group (no recipient in its headers), signed and sent in one transaction: in a
   * delivery worker when there are workers, else composed here, signed by the signer and sent by the pool.
   * Rejects with a `ComposeError` when the message cannot be composed.
   */
  async function sendShared(
    item: LeasedItem,
    row: MessageRow,
    from: string,
    t: Pick<TransmitRequest, 'logIds' | 'envelope' | 'destination' | 'policy'>,
  ): Promise<{ outcomes: SmtpOutcome[]; dkimDomain: string | null }> {
    const date = clock.now();
    if (deps.transmitter) {
      return deps.transmitter.transmit({
        ...t,
        templateJson: row.template_json,
        compose: { kind: 'shared', deliveryId: item.deliveryId, messageId: row.message_id, date },
        domain: signingDomainOf(from),
        signTime: date,
      });
    }
    const composed = await composer.composeShared({
      deliveryId: item.deliveryId,
      messageId: row.message_id,
      templateJson: row.template_json,
      date: new Date(date),
    });
    const signed = deps.signer
      ? await deps.signer.sign(composed.raw, domainOf(from))
      : { raw: composed.raw, dkimDomain: null };
    const outcomes = await pool.sendGroup(t.destination, { ...t, raw: signed.raw });
    return { outcomes, dkimDomain: signed.dkimDomain };
  }

  function signingDomainOf(from: string): string | null {
    return deps.signer?.signingDomain(domainOf(from)) ?? null;
  }

  /**
   * Composes, signs (when the From domain has a DKIM key, SPEC §5) and sends one message. With delivery
   * workers the whole attempt happens in one of them (one thread crossing each way); otherwise the message is
   * composed in the signer's workers (or here without a signer) and sent by the main thread's pool. A signing
   * or worker failure throws, so the message goes back to the queue (processSafely) instead of leaving
   * unsigned.
   */
  async function deliver(
    item: LeasedItem,
    row: MessageRow,
    destination: Destination,
    policy: RelayPolicy,
  ): Promise<{ outcome: SmtpOutcome; dkimDomain: string | null }> {
    try {
      const from = composer.fromAddress(item.deliveryId, row.template_json);
      const job = {
        deliveryId: item.deliveryId,
        logId: item.logId,
        email: row.email,
        messageId: row.message_id,
        fieldsJson: row.fields_json,
        date: clock.now(),
      };
      const envelope = {
        from: deps.envelopeSender?.forMessage(from, item.logId, item.deliveryId) ?? from,
        to: row.email,
      };
      if (deps.transmitter) {
        const sent = await deps.transmitter.transmit({
          templateJson: row.template_json,
          compose: { kind: 'one', job },
          domain: signingDomainOf(from),
          signTime: job.date,
          logIds: [item.logId],
          envelope: { from: envelope.from, to: [envelope.to] },
          destination,
          policy,
        });
        const outcome = sent.outcomes[0];
        if (!outcome) throw new Error('the delivery worker returned no outcome');
        return { outcome, dkimDomain: sent.dkimDomain };
      }
      const signed = deps.signer
        ? await deps.signer.composeAndSign(job, row.template_json, domainOf(from))
        : {
            raw: (
              await composer.compose({ ...job, templateJson: row.template_json, date: new Date(job.date) })
            ).raw,
            dkimDomain: null,
          };
      const outcome = await pool.send(destination, { logId: item.logId, envelope, raw: signed.raw, policy });
      return { outcome, dkimDomain: signed.dkimDomain };
    } catch (err) {
      if (!(err instanceof ComposeError)) throw err;
      const outcome: SmtpOutcome = {
        kind: 'failed',
        code: null,
        enhanced: null,
        text: `the message could not be composed: ${err.message}`,
        command: 'COMPOSE',
        mxHost: null,
        ip: null,
        tls: false,
        durationMs: 0,
      };
      return { outcome, dkimDomain: null };
    }
  }

  function kindOf(resolution: Extract<Resolution, { ok: true }>): DestinationKind {
    if (resolution.source === 'mx') return 'mx';
    const sandbox = deps.sandboxAddress();
    const key = resolution.destination.key;
    return sandbox && key === `smtp:${sandbox.host}:${sandbox.port}` ? 'sandbox' : 'smtp';
  }

  /**
   * A destination that cannot take the message now: back to the queue without an attempt (SPEC §3: throttle
   * waits and suspensions never count as attempts). A suspension moves the destination's other due messages
   * too; an hourly limit spreads them one token interval apart, so they come due when capacity is expected.
   */
  function deferWithoutAttempt(item: LeasedItem, admission: Extract<Admission, { kind: 'defer' }>): void {
    const d = admission.destination;
    const now = clock.now();
    queue.release(item.logId, admission.until);
    let moved = 0;
    switch (admission.scope) {
      case 'message':
        break;
      case 'destination':
        moved = queue.deferDomains([...d.domains], admission.until, now);
        break;
      case 'spread': {
        const interval = d.intervalMs();
        moved = queue.spreadDomains([...d.domains], admission.until + interval, interval, now);
        break;
      }
    }
    log.debug('message waits for its destination (no attempt)', {
      logId: item.logId,
      destination: d.key,
      reason: admission.reason,
      dueAt: admission.until,
      alsoMoved: moved,
    });
  }

  /** Feeds the outcome to the destination's adaptive shaping. Returns true when its queue is to be bounced. */
  function adapt(d: DestinationRuntime, outcome: SmtpOutcome): boolean {
    const changes = shaper.observe(d, outcome);
    if (changes.length === 0) return false;
    const now = clock.now();
    if (d.suspendedUntil !== null && d.suspendedUntil > now)
      queue.deferDomains([...d.domains], d.suspendedUntil, now);
    const bounced = changes.find((c) => c.kind === 'queue_bounced');
    if (!bounced) return false;
    bounceDestinationQueue(d, outcome, String(bounced.detail.rule ?? 'unknown'));
    return true;
  }

  /**
   * An automation rule's `bounce_queue`: every message queued for the destination (and not in flight) fails
   * with the triggering reply, through the feedback path like any bounce (never a silent delete). Each gets
   * an attempt row (command QUEUE, the trigger's codes) naming the rule and the reply, so its attempt
   * history says why it failed without having been tried.
   */
  function bounceDestinationQueue(d: DestinationRuntime, trigger: SmtpOutcome, ruleId: string): void {
    const classification = classifyReplyWithRule(trigger, deps.bounceClassifier);
    const reply = [trigger.code, trigger.enhanced, trigger.text].filter((p) => p !== null).join(' ');
    const attempt: SmtpOutcome = {
      kind: 'failed',
      code: trigger.code,
      enhanced: trigger.enhanced,
      text: `queue bounced by automation rule "${ruleId}" (bounce the queue) after the reply to ${trigger.command ?? 'the session'} from ${trigger.mxHost ?? d.key}: ${reply}`,
      command: 'QUEUE',
      mxHost: trigger.mxHost,
      ip: null,
      tls: false,
      durationMs: 0,
    };
    const domains = [...d.domains];
    const chunk = 500;
    let bounced = 0;
    for (let round = 0; round < 1_000_000; round++) {
      const now = clock.now();
      const items = queue.leaseDomains(domains, now, now + options.leaseMs, chunk);
      for (const item of items) {
        feedback.push({
          logId: item.logId,
          deliveryId: item.deliveryId,
          at: now,
          attempt,
          classification,
          disposition: { kind: 'bounced' },
          destination: d.key,
          dkimDomain: null,
        });
      }
      bounced += items.length;
      feedback.flush();
      if (items.length < chunk) break;
    }
    log.warn('destination queue bounced by an automation rule', { destination: d.key, bounced });
  }

  function messageRow(item: LeasedItem): MessageRow | undefined {
    const m = store.message(item.logId);
    if (!m) return undefined;
    let d = deliveryCache.get(item.deliveryId);
    if (!d || d.createdAt !== m.created_at) {
      const row = store.delivery(item.deliveryId);
      if (!row) return undefined;
      d = {
        template_json: row.template_json,
        routing: {
          routes: RoutesJson.parse(JSON.parse(row.routes_json)),
          smarthost: row.smarthost_json ? HostPort.parse(JSON.parse(row.smarthost_json)) : null,
        },
        time_scale: row.time_scale,
        recipients_per_transaction: row.recipients_per_transaction,
        createdAt: row.created_at,
      };
      if (deliveryCache.size >= 64) deliveryCache.delete(deliveryCache.keys().next().value as number);
      deliveryCache.set(item.deliveryId, d);
    }
    return {
      email: m.email,
      fields_json: m.fields_json,
      message_id: m.message_id,
      template_json: d.template_json,
      routing: d.routing,
      time_scale: d.time_scale,
      recipients_per_transaction: d.recipients_per_transaction,
    };
  }

  function logDecision(
    item: LeasedItem,
    source: string,
    outcome: SmtpOutcome,
    disposition: Disposition,
  ): void {
    const fields = {
      logId: item.logId,
      deliveryId: item.deliveryId,
      route: source,
      mxHost: outcome.mxHost,
      code: outcome.code,
      enhanced: outcome.enhanced,
      reply: outcome.text,
    };
    switch (disposition.kind) {
      case 'delivered':
        log.debug('message accepted', fields);
        return;
      case 'bounced':
        log.info('message bounced', fields);
        return;
      case 'retry':
        log.info('message deferred: retry scheduled', {
          ...fields,
          rule: disposition.rule,
          dueAt: disposition.dueAt,
          delayMs: disposition.dueAt - clock.now(),
        });
        return;
      case 'expired':
        log.info('message deferred after its validity ended: failed', fields);
        return;
    }
  }

  // Another process on the data dir may empty the queue (its writes call nothing here): while someone waits
  // for idle, the queue is read again every `idleRecheckMs` of the clock.
  let cancelIdleRecheck: (() => void) | null = null;
  function checkIdle(): void {
    if (idleWaiters.length === 0 || queue.count() > 0) return;
    cancelIdleRecheck?.();
    cancelIdleRecheck = null;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }
  function armIdleRecheck(): void {
    if (cancelIdleRecheck || idleWaiters.length === 0) return;
    cancelIdleRecheck = clock.at(clock.now() + options.idleRecheckMs, () => {
      cancelIdleRecheck = null;
      checkIdle();
      armIdleRecheck();
    });
  }

  let registration: EngineRegistration | null = null;

  return {
    start() {
      if (!registration) {
        registration = store.registerEngine({ now: clock.now() });
        if (registration.reclaimed > 0)
          log.info('no other engine is running: freed the leases of a previous run', {
            reclaimed: registration.reclaimed,
          });
      }
      log.info('engine started', { queued: queue.count() });
      scheduler.start();
    },
    wake() {
      scheduler.wake();
      checkIdle();
    },
    async stop() {
      shaper.cancelWaits();
      cancelIdleRecheck?.();
      cancelIdleRecheck = null;
      await scheduler.stop();
      feedback.flush();
      feedback.close();
      await pool.close();
      registration?.unregister();
      registration = null;
      log.info('engine stopped', { queued: queue.count() });
    },
    whenIdle() {
      if (queue.count() === 0) return Promise.resolve();
      const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
      armIdleRecheck();
      return idle;
    },
    queued: () => queue.count(),
    reloadRules() {
      shaper.reload(store.loadRules());
      log.info('rules reloaded');
    },
    destinations() {
      return shaper.all().map((d) => {
        d.openConnections = (deps.transmitter ?? pool).openConnections(d.key);
        return shaper.snapshot(d, queue.countDomains([...d.domains]));
      });
    },
  };
}
