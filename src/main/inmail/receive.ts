/**
 * The bounce mailbox's one entry (SPEC §4.3): every message — from the SMTP listener, a file import or IMAP —
 * is stored first (never dropped, even unparseable), then parsed (`parseInbound`), tied to its message
 * (`matchReport`), qualified with the stored rules (`qualifyInbound`) and applied (`applyReport`) in one
 * transaction. A failure after storing is recorded on the message, which stays listed. Nothing here ever
 * sends mail: a bounce is never answered with a bounce.
 */
import type { Clock } from '../clock';
import type { Classifier } from '../engine/bounce/classifier';
import { parseInbound } from './parse/parse';
import { qualifyInbound } from './parse/qualify';
import type { Logger } from '../logger';
import { writeTransaction, type Db } from '../store/db';
import {
  recordInboundError,
  recordProcessing,
  storeInbound,
  type InboundSource,
} from '../store/inbound-repo';
import { matchReport } from './match';
import { applyReport } from './outcomes';

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
}

export interface Inmail {
  receive(raw: Buffer, meta: ReceivedMeta): Promise<ReceiveResult>;
}

export function createInmail(deps: InmailDeps): Inmail {
  const { db, clock } = deps;
  const log = deps.logger.child({ component: 'inmail' });

  async function receive(raw: Buffer, meta: ReceivedMeta): Promise<ReceiveResult> {
    const envelopeTo = meta.envelopeTo ?? null;
    const id = storeInbound(db, {
      receivedAt: clock.now(),
      source: meta.source,
      envelopeFrom: meta.envelopeFrom ?? null,
      envelopeTo,
      raw,
    });
    try {
      const report = await parseInbound(raw, { envelopeTo });
      const applied = writeTransaction(db, () => {
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
      })();
      for (const deliveryId of applied.deliveryIds) {
        deps.notify.logsChanged(String(deliveryId));
        deps.notify.deliveryChanged(String(deliveryId));
      }
      if (applied.quarantineChanged) deps.notify.quarantineChanged();
      log.info('inbound message processed', {
        id,
        kind: report.kind,
        matched: applied.matched,
        outcome: applied.outcome,
      });
      return { id, matched: applied.matched, error: null };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      recordInboundError(db, id, message, clock.now());
      log.error('inbound message stored but not processed', { id, err });
      return { id, matched: false, error: message };
    } finally {
      deps.notify.inmailReceived(String(id));
    }
  }

  return { receive };
}
