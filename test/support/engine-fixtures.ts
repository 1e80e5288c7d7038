/**
 * Engine test fixtures: a temp SQLite data dir, deliveries and log rows inserted with plain SQL matching the
 * schema (no campaign code needed), relayed with the ledger's `relay`, plus readers for assertions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../src/main/store/db';
import { insertLogRows, relay, type NewLogRow } from '../../src/main/store/ledger';
import { nextLogId } from '../../src/main/store/log-repo';
import type { HostPort, MessageTemplate, Route } from '../../src/shared/contract';
import type { ReportingMode } from '../../src/shared/domain/statuses';
import type { EngineDeps, EngineNotifier } from '../../src/main/engine/types';
import type { Clock } from '../../src/main/clock';
import { createEngineStore } from '../../src/main/store/engine-store';
import { createRevisionWatcher } from '../../src/main/store/revision-watcher';

export interface TempDb {
  db: Db;
  dir: string;
  cleanup(): void;
}

export function openTempDb(): TempDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relaydeck-'));
  const db = openDatabase(path.join(dir, 'relaydeck.sqlite'));
  return {
    db,
    dir,
    cleanup() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TEST_TEMPLATE: MessageTemplate = {
  fromName: 'Relaydeck {{team}}',
  fromAddress: 'news@sender.test',
  subject: 'Hello {{first}}',
  text: 'Dear {{first}}, this is for {{email}}.',
  html: '<p>Dear {{first}}</p>',
};

export interface DeliveryFixture {
  reporting?: ReportingMode;
  routes?: Route[];
  smarthost?: HostPort | null;
  validityMs?: number;
  timeScale?: number;
  template?: MessageTemplate;
  state?: string;
  now?: number;
}

export function insertDelivery(db: Db, f: DeliveryFixture = {}): number {
  const now = f.now ?? 0;
  const info = db
    .prepare(
      `INSERT INTO deliveries (name, state, reporting, template_json, routes_json, smarthost_json,
                               validity_requested_ms, validity_ms, time_scale, created_at, started_at)
       VALUES ('test', @state, @reporting, @template, @routes, @smarthost, @validity, @validity, @timeScale, @now, @now)`,
    )
    .run({
      state: f.state ?? 'delivering',
      reporting: f.reporting ?? 'efs',
      template: JSON.stringify(f.template ?? TEST_TEMPLATE),
      routes: JSON.stringify(f.routes ?? []),
      smarthost: f.smarthost ? JSON.stringify(f.smarthost) : null,
      validity: f.validityMs ?? 3.5 * 86_400_000,
      timeScale: f.timeScale ?? 1,
      now,
    });
  return Number(info.lastInsertRowid);
}

/** Adds pending log rows (the ledger counts them). Returns their ids in order. */
export function insertRecipients(
  db: Db,
  deliveryId: number,
  recipients: readonly (string | { email: string; fields?: Record<string, string> })[],
  now = 0,
): number[] {
  return db.transaction(() => {
    const first = nextLogId(db);
    const rows: NewLogRow[] = recipients.map((r, i) => {
      const email = typeof r === 'string' ? r : r.email;
      const fields: Record<string, string> =
        typeof r === 'string' ? { email, first: email.split('@')[0] ?? '' } : { email, ...r.fields };
      return {
        id: first + i,
        deliveryId,
        line: i + 2,
        email,
        addrKey: email.toLowerCase(),
        domain: email.slice(email.lastIndexOf('@') + 1).toLowerCase(),
        fields,
        status: 'pending',
        failureType: null,
        reason: null,
        messageId: null,
      };
    });
    insertLogRows(db, rows, now);
    return rows.map((r) => r.id);
  })();
}

/** A delivery with its recipients, relayed to the MTA at `now`. */
export function relayedDelivery(
  db: Db,
  recipients: Parameters<typeof insertRecipients>[2],
  f: DeliveryFixture & { now: number },
): { deliveryId: number; logIds: number[] } {
  const deliveryId = insertDelivery(db, f);
  const logIds = insertRecipients(db, deliveryId, recipients, f.now);
  relay(db, { deliveryId, logIds, now: f.now });
  return { deliveryId, logIds };
}

export interface DeliveryCountersRow {
  state: string;
  completed_at: number | null;
  n_pending: number;
  n_taken: number;
  n_sent: number;
  n_failed: number;
  n_success: number;
  n_hard: number;
  n_soft: number;
  n_soft_in_progress: number;
  n_in_mta: number;
}

export function readDelivery(db: Db, id: number): DeliveryCountersRow {
  return db
    .prepare(
      `SELECT state, completed_at, n_pending, n_taken, n_sent, n_failed, n_success, n_hard, n_soft,
              n_soft_in_progress, n_in_mta FROM deliveries WHERE id = ?`,
    )
    .get(id) as DeliveryCountersRow;
}

export interface LogRowView {
  id: number;
  email: string;
  status: string;
  failure_type: string | null;
  reason: string | null;
  bounce_class: number | null;
  last_reply: string | null;
  attempts: number;
  first_attempt_at: number | null;
  last_attempt_at: number | null;
  mx_host: string | null;
  mx_ip: string | null;
  message_id: string | null;
}

export function readLog(db: Db, logId: number): LogRowView {
  return db
    .prepare(
      `SELECT id, email, status, failure_type, reason, bounce_class, last_reply, attempts, first_attempt_at,
              last_attempt_at, mx_host, mx_ip, message_id FROM delivery_log WHERE id = ?`,
    )
    .get(logId) as LogRowView;
}

export function logByEmail(db: Db, deliveryId: number, email: string): LogRowView {
  const row = db
    .prepare('SELECT id FROM delivery_log WHERE delivery_id = ? AND email = ?')
    .get(deliveryId, email) as { id: number } | undefined;
  if (!row) throw new Error(`no log row for ${email}`);
  return readLog(db, row.id);
}

export interface AttemptView {
  outcome: string;
  code: number | null;
  enhanced: string | null;
  text: string;
  command: string | null;
  at: number;
}

export function attemptsOf(db: Db, logId: number): AttemptView[] {
  return db
    .prepare('SELECT outcome, code, enhanced, text, command, at FROM attempts WHERE log_id = ? ORDER BY id')
    .all(logId) as AttemptView[];
}

export function queueRow(
  db: Db,
  logId: number,
): { due_at: number; expires_at: number; attempts: number; lease_until: number } | undefined {
  return db
    .prepare('SELECT due_at, expires_at, attempts, lease_until FROM queue WHERE log_id = ?')
    .get(logId) as { due_at: number; expires_at: number; attempts: number; lease_until: number } | undefined;
}

/** A notifier that records what it was told. */
export function recordingNotifier(): EngineNotifier & { deliveries: string[]; logs: string[] } {
  const deliveries: string[] = [];
  const logs: string[] = [];
  return {
    deliveries,
    logs,
    deliveryChanged: (id) => deliveries.push(id),
    logsChanged: (id) => logs.push(id),
  };
}

/** The engine's store ports over a test database: its `EngineStore` and a revision watcher on the test's clock. */
export function engineStorePorts(db: Db, clock: Clock): Pick<EngineDeps, 'store' | 'revisions'> {
  return { store: createEngineStore(db), revisions: createRevisionWatcher({ db, clock }) };
}
