/**
 * The pipeline's shaping step on the queue's side: what the shaper's decisions do to queued messages.
 * - `defer`: a destination that cannot take a message now sends it back to the queue without an attempt, and
 *   moves its destination's other due messages with it (a suspension) or spreads them (an hourly limit);
 * - `adapt`: an attempt's reply feeds the destination's adaptive shaping; a suspension moves the destination's
 *   queue, and an automation rule's `bounce_queue` fails it (through the ledger, like any bounce).
 */
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import type { QueueStore } from '../../store/queue-repo';
import { classifyReplyWithRule } from '../bounce/basic-classifier';
import type { Classifier } from '../bounce/classifier';
import type { MessageOutcome } from '../feedback/apply-outcomes';
import type { DestinationRuntime, Handling } from '../shaper/destination';
import type { Admission, Shaper } from '../shaper/shaper';
import type { SmtpOutcome } from '../types';

export interface ShapingStepDeps {
  clock: Clock;
  logger: Logger;
  queue: Pick<QueueStore, 'release' | 'deferDomains' | 'spreadDomains' | 'leaseDomains'>;
  shaper: Pick<Shaper, 'observe'>;
  /** The ledger's way in (the feedback buffer). */
  feedback: { push(outcome: MessageOutcome): void; flush(): void };
  classifier?: Pick<Classifier, 'classify'> | undefined;
  /** How long a message leased to be bounced stays reserved. */
  leaseMs: number;
}

export interface ShapingStep {
  /** The message waits for its destination: back to the queue, no attempt counted (SPEC §3). */
  defer(item: { logId: number }, admission: Extract<Admission, { kind: 'defer' }>): void;
  /**
   * Feeds an attempt's reply to the destination's shaping. Returns whether its queue is to be bounced, and what
   * becomes of the message (see `Handling`).
   */
  adapt(
    d: DestinationRuntime,
    outcome: SmtpOutcome,
    admittedAt?: number,
  ): { bounceQueue: boolean; handling: Handling };
}

/** Queued messages bounced per round by `bounce_queue` (each round is one lease and one ledger write). */
const BOUNCE_CHUNK = 500;

export function createShapingStep(deps: ShapingStepDeps): ShapingStep {
  const { clock, queue, logger: log } = deps;

  /**
   * A suspension moves the destination's other due messages too; an hourly limit spreads them one token
   * interval apart, so they come due when capacity is expected.
   */
  function defer(item: { logId: number }, admission: Extract<Admission, { kind: 'defer' }>): void {
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

  function adapt(
    d: DestinationRuntime,
    outcome: SmtpOutcome,
    admittedAt?: number,
  ): { bounceQueue: boolean; handling: Handling } {
    const { changes, handling } = deps.shaper.observe(d, outcome, admittedAt);
    if (changes.length === 0) return { bounceQueue: false, handling };
    const now = clock.now();
    if (d.suspendedUntil !== null && d.suspendedUntil > now)
      queue.deferDomains([...d.domains], d.suspendedUntil, now);
    const bounced = changes.find((c) => c.kind === 'queue_bounced');
    if (!bounced) return { bounceQueue: false, handling };
    bounceDestinationQueue(d, outcome, String(bounced.detail.rule ?? 'unknown'));
    return { bounceQueue: true, handling };
  }

  /**
   * An automation rule's `bounce_queue`: every message queued for the destination (and not in flight) fails
   * with the triggering reply, through the ledger like any bounce (never a silent delete). Each gets an
   * attempt row (command QUEUE, the trigger's codes) naming the rule and the reply, so its attempt history
   * says why it failed without having been tried.
   */
  function bounceDestinationQueue(d: DestinationRuntime, trigger: SmtpOutcome, ruleId: string): void {
    const classification = classifyReplyWithRule(trigger, deps.classifier);
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
    let bounced = 0;
    for (let round = 0; round < 1_000_000; round++) {
      const now = clock.now();
      const items = queue.leaseDomains(domains, now, now + deps.leaseMs, BOUNCE_CHUNK);
      for (const item of items) {
        deps.feedback.push({
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
      deps.feedback.flush();
      if (items.length < BOUNCE_CHUNK) break;
    }
    log.warn('destination queue bounced by an automation rule', { destination: d.key, bounced });
  }

  return { defer, adapt };
}
