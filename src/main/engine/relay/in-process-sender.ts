/**
 * The `Sender` of an engine without delivery workers (an injected relay factory: tests, the CLI's `--relay`
 * hooks): the message is composed here, or composed and signed in the signer's workers when there is a signer,
 * then sent by the main thread's destination pool. The worker-pool sender (`engine/workers/pool.ts`) does the
 * same attempt in one worker thread; the pipeline cannot tell them apart.
 */
import { domainOf } from '../../../shared/domain/address';
import type { Composer } from './compose';
import type { DestinationPool } from './destination-pool';
import type { MessageSigner, Sender, SignResult, TransmitRequest, TransmitResult } from '../types';

export interface InProcessSender extends Sender {
  /** Closes the pool's relays (and their SMTP sessions). */
  close(): Promise<void>;
}

export interface InProcessSenderOptions {
  /** Shared with the pipeline, which reads the From address and caches each delivery's compiled template. */
  composer: Composer;
  /** DKIM signing (SPEC §5); without one messages leave unsigned. */
  signer?: MessageSigner | undefined;
  pool: DestinationPool;
}

export function createInProcessSender(o: InProcessSenderOptions): InProcessSender {
  const { composer, signer, pool } = o;

  /**
   * Composes (and signs) the request's message. The signer chooses the keys from the From and envelope
   * domains when it signs (the same choice as the pipeline's, which the worker receives as `domain`).
   */
  async function composed(r: TransmitRequest): Promise<SignResult> {
    const spec = r.compose;
    switch (spec.kind) {
      case 'one': {
        if (signer) {
          const fromDomain = domainOf(composer.fromAddress(spec.job.deliveryId, r.templateJson));
          return signer.composeAndSign(spec.job, r.templateJson, fromDomain, domainOf(r.envelope.from));
        }
        const message = await composer.compose({
          ...spec.job,
          templateJson: r.templateJson,
          date: new Date(spec.job.date),
        });
        return { raw: message.raw, dkimDomain: null };
      }
      case 'shared': {
        const message = await composer.composeShared({
          deliveryId: spec.deliveryId,
          messageId: spec.messageId,
          templateJson: r.templateJson,
          date: new Date(spec.date),
        });
        if (!signer) return { raw: message.raw, dkimDomain: null };
        return signer.sign(
          message.raw,
          domainOf(composer.fromAddress(spec.deliveryId, r.templateJson)),
          spec.date,
          domainOf(r.envelope.from),
        );
      }
    }
  }

  return {
    async transmit(r): Promise<TransmitResult> {
      const { raw, dkimDomain } = await composed(r);
      const to = r.envelope.to;
      if (r.compose.kind === 'one') {
        const [recipient] = to;
        const [logId] = r.logIds;
        if (recipient === undefined || logId === undefined || to.length !== 1)
          throw new Error('a one-recipient attempt needs exactly one recipient');
        const outcome = await pool.send(r.destination, {
          logId,
          envelope: { from: r.envelope.from, to: recipient },
          raw,
          policy: r.policy,
        });
        return { outcomes: [outcome], dkimDomain };
      }
      const outcomes = await pool.sendGroup(r.destination, {
        logIds: r.logIds,
        envelope: r.envelope,
        raw,
        policy: r.policy,
      });
      return { outcomes, dkimDomain };
    },
    openConnections: (key) => pool.openConnections(key),
    // Nothing is kept per delivery here: the engine forgets a finished delivery in the composer and the signer.
    forget() {},
    close: () => pool.close(),
  };
}
