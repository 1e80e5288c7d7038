/**
 * The per-message pipeline, from a leased queue item to the ledger:
 *
 *   validity -> message (store) -> router -> shaper (admit / defer) -> sender -> shaping (adapt)
 *            -> classifier + retry policy (`decide.ts`) -> ledger (the feedback buffer)
 *
 * Every collaborator is a port, so each path (expiry, a destination that waits, a compose error, a group
 * transaction, an internal error) is unit-tested on a manual clock with fakes
 * (`test/unit/engine-pipeline-process.test.ts`); `createEngine` only wires it.
 */
import { domainOf } from '../../../shared/domain/address';
import type { HostPort } from '../../../shared/contract';
import type { SigningChoice } from '../../../shared/domain/dkim';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { SentRecord } from '../../store/ledger';
import type { LeasedItem, QueueStore } from '../../store/queue-repo';
import type { Classifier } from '../bounce/classifier';
import type { EnvelopeSender } from '../bounce/verp';
import type { MessageOutcome } from '../feedback/apply-outcomes';
import { ComposeError, type Composer } from '../relay/compose';
import type { Resolution, Router } from '../relay/routing';
import type { Disposition } from '../retry/policy';
import type { DestinationKind, DestinationRuntime, Handling } from '../shaper/destination';
import type { Shaper } from '../shaper/shaper';
import type { Sender, SmtpOutcome, TransmitRequest } from '../types';
import { decideOutcome, expiredOutcome } from './decide';
import type { MessageReader, MessageToSend } from './messages';
import type { ShapingStep } from './shaping';

export interface PipelineDeps {
  clock: Clock;
  random: () => number;
  logger: Logger;
  queue: Pick<QueueStore, 'release' | 'leaseGroup'>;
  messages: MessageReader;
  /** Recipient addresses of these log rows (a shared transaction's envelope). */
  recipients(logIds: readonly number[]): Map<number, string>;
  router: Pick<Router, 'resolve'>;
  shaper: Pick<Shaper, 'destinationFor' | 'admit' | 'release' | 'policyOf'>;
  shaping: ShapingStep;
  composer: Pick<Composer, 'fromAddress' | 'isStatic'>;
  sender: Pick<Sender, 'transmit'>;
  /**
   * Which domain's DKIM keys sign a message of a From domain sent with an envelope sender at `envelopeDomain`
   * (SPEC §5, `chooseSigning`), or null (unsigned).
   */
  signing(fromDomain: string, envelopeDomain: string): SigningChoice | null;
  /** The selectors of the keys that sign for a signing domain (recorded for the message viewer). */
  signingSelectors?(domain: string): { rsa: string | null; ed25519: string | null } | null;
  envelopeSender?: EnvelopeSender | undefined;
  classifier?: Pick<Classifier, 'classify'> | undefined;
  /** The ledger's way in: outcomes are written in batches by the feedback buffer. */
  ledger: { push(outcome: MessageOutcome): void };
  /** Hands the group members' leases to the scheduler until `done` settles (renewed while in flight). */
  adopt(logIds: readonly number[], done: Promise<void>): void;
  sandboxAddress(domain: string): HostPort | null;
  leaseMs: number;
  /** Back-off of a message whose processing hit an unexpected error (a bug, not an SMTP reply). */
  internalErrorRetryMs: number;
}

export interface MessagePipeline {
  /** Takes a leased message to its next state. Never rejects: an unexpected error gives the message back. */
  process(item: LeasedItem): Promise<void>;
}

type Resolved = Extract<Resolution, { ok: true }>;

const ATTEMPT: Handling = { kind: 'attempt' };

/** Signing notes logged per delivery before the set is cleared (it only keeps the log from repeating). */
const SIGNING_NOTES_MAX = 10_000;

export function createMessagePipeline(deps: PipelineDeps): MessagePipeline {
  const { clock, queue, shaper, logger: log } = deps;
  /** `<delivery> <d=> <basis>` already logged: a fallback signing is said once per delivery and domain. */
  const signingNotes = new Set<string>();

  async function process(item: LeasedItem): Promise<void> {
    try {
      await processItem(item);
    } catch (err) {
      // A bug or an infrastructure failure, not an SMTP outcome: no attempt is recorded, the message is
      // given back and tried again later (its validity still applies).
      const dueAt = clock.now() + deps.internalErrorRetryMs;
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
      deps.ledger.push(expiredOutcome(clock, item));
      return;
    }
    const message = deps.messages.read(item.logId, item.deliveryId);
    if (!message) return; // the log row was deleted with its delivery; the queue row went with it
    const resolution = await deps.router.resolve(item.domain, message.routing);
    if (!resolution.ok) {
      finish(item, message, resolution, null, resolution.outcome, null);
      return;
    }
    const d = shaper.destinationFor(resolution.destination, kindOf(resolution, item.domain), item.domain);
    const admission = await shaper.admit(d);
    if (admission.kind === 'defer') {
      deps.shaping.defer(item, admission);
      return;
    }
    const admittedAt = clock.now();
    let sent: { outcome: SmtpOutcome; dkimDomain: string | null; record: SentRecord | null };
    try {
      if (await deliveredAsGroup(item, message, resolution, d, admittedAt)) return;
      sent = await deliverOne(item, message, resolution, d);
    } finally {
      shaper.release(d);
    }
    finish(item, message, resolution, d, sent.outcome, sent.dkimDomain, admittedAt, sent.record);
  }

  /** After an attempt: adaptive shaping, qualification, retry decision, the ledger. */
  function finish(
    item: LeasedItem,
    message: Pick<MessageToSend, 'timeScale'>,
    resolution: Resolution,
    d: DestinationRuntime | null,
    outcome: SmtpOutcome,
    dkimDomain: string | null,
    admittedAt?: number,
    sent?: SentRecord | null,
  ): void {
    // bounce_queue: the triggering message fails with the rest of its destination's queue.
    const { bounceQueue, handling } =
      d !== null ? deps.shaping.adapt(d, outcome, admittedAt) : { bounceQueue: false, handling: ATTEMPT };
    if (handling.kind === 'requeue') {
      // The receiver refused the session before the message was offered (its connection limit): no attempt.
      log.debug('session refused before the message was offered: back to the queue (no attempt)', {
        logId: item.logId,
        destination: d?.key,
        reply: outcome.text,
      });
      queue.release(item.logId, clock.now());
      return;
    }
    const decided = decideOutcome(
      { clock, random: deps.random, classifier: deps.classifier },
      {
        item,
        timeScale: message.timeScale,
        outcome,
        destination: resolution.ok ? resolution.destination.key : null,
        dkimDomain,
        ...(sent ? { sent } : {}),
        bounceQueue,
        pacedUntil: handling.kind === 'paced' ? handling.dueAt : null,
      },
    );
    logDecision(item, resolution.source, outcome, decided.disposition);
    deps.ledger.push(decided);
  }

  /**
   * Composes, signs (when the From domain has a DKIM key, SPEC §5) and sends one message through the sender.
   * A message that cannot be composed fails (command COMPOSE); a signing or worker failure throws, so the
   * message goes back to the queue (`process`) instead of leaving unsigned.
   */
  async function deliverOne(
    item: LeasedItem,
    message: MessageToSend,
    resolution: Resolved,
    d: DestinationRuntime,
  ): Promise<{ outcome: SmtpOutcome; dkimDomain: string | null; record: SentRecord | null }> {
    try {
      const from = deps.composer.fromAddress(item.deliveryId, message.templateJson);
      const date = clock.now();
      const sent = await transmit(message, from, date, {
        compose: {
          kind: 'one',
          job: {
            deliveryId: item.deliveryId,
            logId: item.logId,
            email: message.email,
            messageId: message.messageId,
            fieldsJson: message.fieldsJson,
            date,
          },
        },
        logIds: [item.logId],
        envelope: {
          from: deps.envelopeSender?.forMessage(from, item.logId, item.deliveryId) ?? from,
          to: [message.email],
        },
        destination: resolution.destination,
        policy: shaper.policyOf(d),
      });
      const outcome = sent.outcomes[0];
      if (!outcome) throw new Error('the sender returned no outcome');
      return { outcome, dkimDomain: sent.dkimDomain, record: sentRecord(date, sent.dkimDomain, null) };
    } catch (err) {
      if (!(err instanceof ComposeError)) throw err;
      return { outcome: composeFailure(err), dkimDomain: null, record: null };
    }
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
    message: MessageToSend,
    resolution: Resolved,
    d: DestinationRuntime,
    admittedAt: number,
  ): Promise<boolean> {
    if (message.recipientsPerTransaction <= 1 || !isStaticTemplate(item.deliveryId, message.templateJson))
      return false;
    const members = leaseMembers(item, d, message.recipientsPerTransaction - 1);
    if (members.length === 0) return false;
    let settle!: () => void;
    deps.adopt(
      members.map((m) => m.logId),
      new Promise<void>((resolve) => (settle = resolve)),
    );
    try {
      const emails = deps.recipients(members.map((m) => m.logId));
      const group = [item, ...members.filter((m) => emails.has(m.logId))];
      // The template compiled (isStatic above), so its From address is known.
      const from = deps.composer.fromAddress(item.deliveryId, message.templateJson);
      const date = clock.now();
      let sent: { outcomes: SmtpOutcome[]; dkimDomain: string | null };
      try {
        sent = await transmit(message, from, date, {
          compose: { kind: 'shared', deliveryId: item.deliveryId, messageId: message.messageId, date },
          logIds: group.map((m) => m.logId),
          envelope: {
            from: deps.envelopeSender?.forDelivery(from, item.deliveryId) ?? from,
            to: [message.email, ...group.slice(1).map((m) => emails.get(m.logId) ?? '')],
          },
          destination: resolution.destination,
          policy: shaper.policyOf(d),
        });
      } catch (err) {
        if (!(err instanceof ComposeError)) throw err;
        // The first message is then composed alone (and reports the error); the others wait their turn.
        for (const m of group.slice(1)) queue.release(m.logId, m.dueAt);
        return false;
      }
      const record = sentRecord(date, sent.dkimDomain, message.messageId ?? '');
      group.forEach((m, i) => {
        const outcome = sent.outcomes[i];
        if (outcome) finish(m, message, resolution, d, outcome, sent.dkimDomain, admittedAt, record);
      });
      return true;
    } finally {
      settle();
    }
  }

  /**
   * Leases up to `max` other due messages of the item's delivery and domain. Each recipient counts against
   * the destination's hourly limit: one that has no token now (or whose validity ended) goes back to the queue.
   */
  function leaseMembers(item: LeasedItem, d: DestinationRuntime, max: number): LeasedItem[] {
    const now = clock.now();
    const members: LeasedItem[] = [];
    for (const extra of queue.leaseGroup(item.deliveryId, item.domain, now, now + deps.leaseMs, max)) {
      if (now >= extra.expiresAt || d.reserve(now) > 0) {
        if (now < extra.expiresAt) d.unreserve();
        queue.release(extra.logId, extra.dueAt);
      } else {
        members.push(extra);
      }
    }
    return members;
  }

  /** What the message of an attempt was built with, for the message viewer's rebuild. */
  function sentRecord(at: number, dkimDomain: string | null, shared: string | null): SentRecord {
    return { at, keys: dkimDomain === null ? null : (deps.signingSelectors?.(dkimDomain) ?? null), shared };
  }

  function transmit(
    message: MessageToSend,
    from: string,
    signTime: number,
    t: Pick<TransmitRequest, 'compose' | 'logIds' | 'envelope' | 'destination' | 'policy'>,
  ) {
    const deliveryId = t.compose.kind === 'one' ? t.compose.job.deliveryId : t.compose.deliveryId;
    const choice = deps.signing(domainOf(from), domainOf(t.envelope.from));
    noteSigning(deliveryId, domainOf(from), domainOf(t.envelope.from), choice);
    return deps.sender.transmit({
      ...t,
      templateJson: message.templateJson,
      domain: choice?.domain ?? null,
      signTime,
    });
  }

  /** Says once per delivery and domain when a message is not signed by From's side with an RSA key. */
  function noteSigning(
    deliveryId: number,
    fromDomain: string,
    envelopeDomain: string,
    choice: SigningChoice | null,
  ): void {
    if (choice?.basis === 'from') return;
    const key = `${deliveryId} ${choice?.domain ?? '-'} ${choice?.basis ?? 'unsigned'} ${fromDomain}`;
    if (signingNotes.has(key)) return;
    if (signingNotes.size >= SIGNING_NOTES_MAX) signingNotes.clear();
    signingNotes.add(key);
    const fields = { deliveryId, fromDomain, envelopeDomain, dkimDomain: choice?.domain ?? null };
    if (!choice) {
      log.warn('no DKIM key for the From or the envelope sender domain: messages leave unsigned', fields);
      return;
    }
    switch (choice.basis) {
      case 'envelope':
        log.warn(
          "no RSA DKIM key for the From domain: signed with the envelope sender domain's key, not aligned with From",
          fields,
        );
        return;
      case 'ed25519-only':
        log.warn(
          'no RSA DKIM key for the From or the envelope sender domain: signed with ed25519 alone, which most receivers cannot verify',
          { ...fields, fromSide: choice.fromSide },
        );
        return;
    }
  }

  function isStaticTemplate(deliveryId: number, templateJson: string): boolean {
    try {
      return deps.composer.isStatic(deliveryId, templateJson);
    } catch (err) {
      if (err instanceof ComposeError) return false; // reported when the message is composed alone
      throw err;
    }
  }

  function kindOf(resolution: Resolved, domain: string): DestinationKind {
    if (resolution.source === 'mx') return 'mx';
    const sandbox = deps.sandboxAddress(domain);
    const key = resolution.destination.key;
    return sandbox && key === `smtp:${sandbox.host}:${sandbox.port}` ? 'sandbox' : 'smtp';
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

  return { process };
}

/** The attempt of a message that could not be composed (a template error): it fails, no SMTP was spoken. */
function composeFailure(err: ComposeError): SmtpOutcome {
  return {
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
}
