/**
 * The bounce mailbox's one entry (SPEC §4.3): every message — from the SMTP listener, a file import or IMAP — is
 * parsed (`parseInbound`, before any write), then stored, tied to its message (`matchReport`), qualified with the
 * stored rules (`qualifyInbound`) and applied (`applyReport`) in ONE transaction: a crash (kill -9 included)
 * leaves either nothing (the SMTP sender got no 250 and retries; an import is run again) or the message stored
 * and processed — never a stored message that nobody processes. A message that cannot be parsed or applied is
 * stored anyway with its error (a second transaction), and stays listed. The same content (SHA-256 of the raw
 * source) is stored once: a repeated import or an SMTP retry after a lost reply returns the first copy.
 * Retention (`inmail.retention`) runs on the injected clock after storing, at most once per
 * RETENTION_CHECK_MS. Nothing here ever sends mail: a bounce is never answered with a bounce.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import type { Classifier } from '../engine/bounce/classifier';
import { parseInbound } from './parse/parse';
import { qualifyInbound } from './parse/qualify';
import type { InboundReport } from './parse/types';
import type { Logger } from '../logger';
import { writeTransaction, type Db } from '../store/db';
import {
  applyInboundRetention,
  inboundByHash,
  readInboundRaw,
  recordInboundError,
  recordProcessing,
  storeInbound,
  unprocessedInbound,
  type InboundRetention,
  type InboundSource,
} from '../store/inbound-repo';
import { getSetting } from '../store/settings-repo';
import { matchReport } from './match';
import { applyReport, type AppliedReport } from './outcomes';

/** Kept when the `inmail.retention` setting is absent: 90 days, 512 MB of raw sources. */
export const DEFAULT_INBOUND_RETENTION = { days: 90, maxMegabytes: 512 } as const;
/** Retention runs at most this often (ms of the clock), after a message is stored and at start. */
export const RETENTION_CHECK_MS = 60_000;

export interface InmailNotifier {
  deliveryChanged(deliveryId: string): void;
  logsChanged(deliveryId: string): void;
  quarantineChanged(): void;
  inmailReceived(id: string): void;
}

export interface InmailDeps {
  db: Db;
  clock: Clock;
  classifier: Classifier;
  /** The VERP HMAC key (settings). */
  verpKey: string;
  notify: InmailNotifier;
  logger: Logger;
}

export interface ReceivedMeta {
  source: InboundSource;
  envelopeFrom?: string | null;
  envelopeTo?: string | null;
}

export interface ReceiveResult {
  id: number;
  matched: boolean;
  /** Why the message could not be processed (it is stored anyway). */
  error: string | null;
  /** The same content was already stored (as `id`): nothing was written or applied again. */
  duplicate: boolean;
}

export interface Inmail {
  receive(raw: Buffer, meta: ReceivedMeta): Promise<ReceiveResult>;
  /**
   * Processes the messages stored but never processed (a crash between the two steps of versions before
   * migration 11); run at start. Returns how many were processed.
   */
  resumeUnprocessed(): Promise<number>;
  /** Applies the retention setting now (also done after storing, at most once per RETENTION_CHECK_MS). */
  applyRetention(): number;
}

export function contentHash(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

export function retentionOf(db: Db): InboundRetention {
  const r = getSetting(db, 'inmail.retention') ?? DEFAULT_INBOUND_RETENTION;
  return { days: r.days, maxBytes: r.maxMegabytes * 1024 * 1024 };
}

export function createInmail(deps: InmailDeps): Inmail {
  const { db, clock } = deps;
  const log = deps.logger.child({ component: 'inmail' });
  let retentionCheckedAt = -Infinity;

  /** Matches, qualifies and applies a parsed report, and records it on message `id` (in a transaction). */
  function process(
    id: number,
    report: InboundReport,
    envelopeTo: string | null,
  ): AppliedReport & { matched: boolean } {
    const match = matchReport(db, report, envelopeTo, deps.verpKey);
    const verdicts = qualifyInbound(report, deps.classifier);
    const result = applyReport(db, report, verdicts, match, clock.now());
    recordProcessing(
      db,
      id,
      {
        from: report.from,
        subject: report.subject,
        messageId: report.messageId,
        kind: report.kind,
        format: report.format,
        note: report.note,
        matchedBy: match?.by ?? null,
        deliveryId: match?.deliveryId ?? null,
        logId: match?.row?.logId ?? null,
        results: result.results,
        outcome: result.outcome,
        error: null,
      },
      clock.now(),
    );
    return { ...result, matched: match !== null };
  }

  function notifyApplied(applied: AppliedReport): void {
    for (const deliveryId of applied.deliveryIds) {
      deps.notify.logsChanged(String(deliveryId));
      deps.notify.deliveryChanged(String(deliveryId));
    }
    if (applied.quarantineChanged) deps.notify.quarantineChanged();
  }

  function applyRetention(): number {
    retentionCheckedAt = clock.now();
    const deleted = applyInboundRetention(db, retentionOf(db), clock.now());
    if (deleted > 0) log.info('inbound retention: old messages deleted', { deleted });
    return deleted;
  }

  function maybeApplyRetention(): void {
    if (clock.now() - retentionCheckedAt < RETENTION_CHECK_MS) return;
    try {
      applyRetention();
    } catch (err) {
      log.error('inbound retention failed', { err });
    }
  }

  async function receive(raw: Buffer, meta: ReceivedMeta): Promise<ReceiveResult> {
    const envelopeTo = meta.envelopeTo ?? null;
    const hash = contentHash(raw);
    const known = inboundByHash(db, hash);
    if (known) return { id: known.id, matched: known.matched, error: null, duplicate: true };
    const row = {
      receivedAt: clock.now(),
      source: meta.source,
      envelopeFrom: meta.envelopeFrom ?? null,
      envelopeTo,
      raw,
      contentHash: hash,
    };
    let failure: string;
    try {
      const report = await parseInbound(raw, { envelopeTo });
      const done = writeTransaction(db, () => {
        // Another receive of the same content may have committed while this one was parsing.
        const again = inboundByHash(db, hash);
        if (again) return { id: again.id, applied: null, matched: again.matched };
        const id = storeInbound(db, row);
        const applied = process(id, report, envelopeTo);
        return { id, applied, matched: applied.matched };
      })();
      if (!done.applied) return { id: done.id, matched: done.matched, error: null, duplicate: true };
      notifyApplied(done.applied);
      log.info('inbound message processed', {
        id: done.id,
        kind: report.kind,
        matched: done.matched,
        outcome: done.applied.outcome,
      });
      deps.notify.inmailReceived(String(done.id));
      maybeApplyRetention();
      return { id: done.id, matched: done.matched, error: null, duplicate: false };
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    // Parsing or applying failed (the transaction wrote nothing): the message is stored with its error.
    const stored = writeTransaction(db, () => {
      const again = inboundByHash(db, hash);
      if (again) return { id: again.id, duplicate: true };
      const id = storeInbound(db, row);
      recordInboundError(db, id, failure, clock.now());
      return { id, duplicate: false };
    })();
    if (!stored.duplicate) {
      log.error('inbound message stored but not processed', { id: stored.id, error: failure });
      deps.notify.inmailReceived(String(stored.id));
      maybeApplyRetention();
    }
    return {
      id: stored.id,
      matched: false,
      error: stored.duplicate ? null : failure,
      duplicate: stored.duplicate,
    };
  }

  async function resumeUnprocessed(): Promise<number> {
    let done = 0;
    // Bounded: each pass takes rows that are then processed or marked with an error.
    for (let pass = 0; pass < 1_000; pass++) {
      const batch = unprocessedInbound(db, 100);
      if (batch.length === 0) break;
      for (const { id, envelopeTo } of batch) {
        const raw = readInboundRaw(db, id) ?? Buffer.alloc(0);
        try {
          const report = await parseInbound(raw, { envelopeTo });
          const applied = writeTransaction(db, () => process(id, report, envelopeTo))();
          notifyApplied(applied);
        } catch (err) {
          recordInboundError(db, id, err instanceof Error ? err.message : String(err), clock.now());
        }
        deps.notify.inmailReceived(String(id));
        done++;
      }
    }
    if (done > 0) log.info('inbound messages stored before a crash were processed', { count: done });
    return done;
  }

  return { receive, resumeUnprocessed, applyRetention };
}
