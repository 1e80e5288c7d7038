/**
 * Numbered migrations on `PRAGMA user_version`. A landed migration is never edited: add a new one.
 * Times are epoch ms (INTEGER). Ids are INTEGER primary keys, exposed as strings by the API.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema: settings, templates, lists, deliveries, delivery log, queue, attempts',
    sql: `
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE templates (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        from_name    TEXT NOT NULL DEFAULT '',
        from_address TEXT NOT NULL,
        subject      TEXT NOT NULL,
        text         TEXT NOT NULL DEFAULT '',
        html         TEXT NOT NULL DEFAULT '',
        created_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE recipient_lists (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        file_name  TEXT NOT NULL,
        csv        TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- Campaign side. Counters are maintained incrementally in the same transaction as log changes.
      CREATE TABLE deliveries (
        id                    INTEGER PRIMARY KEY,
        name                  TEXT NOT NULL,
        state                 TEXT NOT NULL,
        reporting             TEXT NOT NULL,
        template_json         TEXT NOT NULL,
        routes_json           TEXT NOT NULL DEFAULT '[]',
        smarthost_json        TEXT,
        validity_requested_ms INTEGER NOT NULL,
        validity_ms           INTEGER NOT NULL,
        time_scale            REAL NOT NULL DEFAULT 1,
        created_at            INTEGER NOT NULL,
        started_at            INTEGER,
        relayed_at            INTEGER,
        stopped_at            INTEGER,
        completed_at          INTEGER,
        last_relay_at         INTEGER,
        n_initial             INTEGER NOT NULL DEFAULT 0,
        n_pending             INTEGER NOT NULL DEFAULT 0,
        n_taken               INTEGER NOT NULL DEFAULT 0,
        n_sent                INTEGER NOT NULL DEFAULT 0,
        n_failed              INTEGER NOT NULL DEFAULT 0,
        n_ignored             INTEGER NOT NULL DEFAULT 0,
        n_cancelled           INTEGER NOT NULL DEFAULT 0,
        n_success             INTEGER NOT NULL DEFAULT 0,
        n_hard                INTEGER NOT NULL DEFAULT 0,
        n_soft                INTEGER NOT NULL DEFAULT 0,
        n_soft_in_progress    INTEGER NOT NULL DEFAULT 0,
        n_in_mta              INTEGER NOT NULL DEFAULT 0,
        n_import_errors       INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX deliveries_state ON deliveries(state);

      -- Rows of the recipient list that could not be used, kept so nothing is lost.
      CREATE TABLE import_errors (
        id          INTEGER PRIMARY KEY,
        delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        line        INTEGER NOT NULL,
        field       TEXT,
        message     TEXT NOT NULL,
        raw         TEXT NOT NULL
      ) STRICT;
      CREATE INDEX import_errors_delivery ON import_errors(delivery_id, line);

      -- One row per recipient per delivery (SPEC §2).
      CREATE TABLE delivery_log (
        id               INTEGER PRIMARY KEY,
        delivery_id      INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        line             INTEGER NOT NULL,
        email            TEXT NOT NULL,
        addr_key         TEXT NOT NULL,
        domain           TEXT NOT NULL,
        fields_json      TEXT NOT NULL,
        status           TEXT NOT NULL,
        failure_type     TEXT,
        reason           TEXT,
        bounce_class     INTEGER,
        last_reply       TEXT,
        attempts         INTEGER NOT NULL DEFAULT 0,
        first_attempt_at INTEGER,
        last_attempt_at  INTEGER,
        mx_host          TEXT,
        mx_ip            TEXT,
        dkim_domain      TEXT,
        message_id       TEXT,
        relayed_at       INTEGER,
        updated_at       INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX log_delivery_id ON delivery_log(delivery_id, id);
      CREATE INDEX log_delivery_status ON delivery_log(delivery_id, status, id);
      CREATE INDEX log_delivery_addr ON delivery_log(delivery_id, addr_key);
      CREATE INDEX log_delivery_domain ON delivery_log(delivery_id, domain, id);
      CREATE INDEX log_delivery_reason ON delivery_log(delivery_id, reason) WHERE reason IS NOT NULL;
      -- Keyset paging of the log by its sortable columns (logs.page): the trailing id breaks ties.
      CREATE INDEX log_delivery_last_attempt ON delivery_log(delivery_id, ifnull(last_attempt_at, -1), id);
      CREATE INDEX log_delivery_attempts ON delivery_log(delivery_id, attempts, id);

      -- MTA side: the durable queue. A row exists while the message is in the MTA; it is deleted when final.
      -- lease_until > now means an engine worker holds it; an expired lease is free again (crash recovery).
      CREATE TABLE queue (
        log_id      INTEGER PRIMARY KEY REFERENCES delivery_log(id) ON DELETE CASCADE,
        delivery_id INTEGER NOT NULL,
        domain      TEXT NOT NULL,
        due_at      INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        lease_until INTEGER NOT NULL DEFAULT 0,
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT
      ) STRICT;
      CREATE INDEX queue_due ON queue(due_at);
      CREATE INDEX queue_delivery ON queue(delivery_id);

      -- Every SMTP reply recorded as an attempt.
      CREATE TABLE attempts (
        id          INTEGER PRIMARY KEY,
        log_id      INTEGER NOT NULL REFERENCES delivery_log(id) ON DELETE CASCADE,
        at          INTEGER NOT NULL,
        outcome     TEXT NOT NULL,
        code        INTEGER,
        enhanced    TEXT,
        text        TEXT NOT NULL,
        command     TEXT,
        mx_host     TEXT,
        ip          TEXT,
        tls         INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX attempts_log ON attempts(log_id, at);
    `,
  },
  {
    version: 2,
    name: 'MTA: MX rules, automation rules, destination state, shaping events, throughput, DKIM keys',
    sql: `
      -- Ordered rule tables (SPEC §6). Each rule is a JSON document validated by the shared zod schema, so
      -- rule fields can grow without migrations; position gives the order (first match wins).
      CREATE TABLE mx_rules (
        id         INTEGER PRIMARY KEY,
        position   INTEGER NOT NULL,
        body_json  TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX mx_rules_position ON mx_rules(position);

      CREATE TABLE automation_rules (
        id         INTEGER PRIMARY KEY,
        position   INTEGER NOT NULL,
        body_json  TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX automation_rules_position ON automation_rules(position);

      -- Adaptive state that must survive a restart: a suspended destination stays suspended, a slowed one
      -- restarts at its reduced rate.
      CREATE TABLE destination_state (
        key             TEXT PRIMARY KEY,
        suspended_until INTEGER,
        rate_per_hour   REAL,
        max_connections INTEGER,
        reason          TEXT,
        -- End of a temporary throttle (automation rule): rate and connections go back to the rule's after it.
        throttled_until INTEGER,
        updated_at      INTEGER NOT NULL
      ) STRICT;

      -- The engine defers or bounces a destination's queued messages by their domains (suspension, rate
      -- limits, bounce_queue) and counts them for the destinations page.
      CREATE INDEX queue_domain_due ON queue(domain, due_at);
      -- Leased rows only (released and new rows have lease_until = 0): the end of the next lease is a lookup.
      CREATE INDEX queue_leased ON queue(lease_until) WHERE lease_until > 0;

      -- Recipients sharing one SMTP transaction when the message is identical (1 = one per transaction).
      ALTER TABLE deliveries ADD COLUMN recipients_per_transaction INTEGER NOT NULL DEFAULT 1;

      -- Every automatic change, with its cause (shown in the console).
      CREATE TABLE shaping_events (
        id          INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        destination TEXT NOT NULL,
        kind        TEXT NOT NULL,
        cause       TEXT NOT NULL,
        detail_json TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX shaping_events_at ON shaping_events(at);
      CREATE INDEX shaping_events_destination ON shaping_events(destination, at);

      -- Per-minute throughput (SPEC §7): relay (destination '') and delivery outcomes per destination.
      CREATE TABLE throughput (
        delivery_id INTEGER NOT NULL,
        destination TEXT NOT NULL,
        minute      INTEGER NOT NULL,
        relayed     INTEGER NOT NULL DEFAULT 0,
        accepted    INTEGER NOT NULL DEFAULT 0,
        deferred    INTEGER NOT NULL DEFAULT 0,
        bounced     INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (delivery_id, destination, minute)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX throughput_destination ON throughput(destination, minute);
      CREATE INDEX throughput_delivery_minute ON throughput(delivery_id, minute);
      CREATE INDEX throughput_minute ON throughput(minute);

      -- Engines running on this data dir (crash recovery of leases, src/main/engine/queue/engine-registry.ts).
      CREATE TABLE engine_instances (
        id         TEXT PRIMARY KEY,
        pid        INTEGER NOT NULL,
        host       TEXT NOT NULL,
        started_at INTEGER NOT NULL
      ) STRICT;

      -- DKIM keys (SPEC §5). The private key lives in a file with owner-only permissions; the row keeps its
      -- path and the public part for the DNS TXT record.
      CREATE TABLE dkim_keys (
        id          INTEGER PRIMARY KEY,
        domain      TEXT NOT NULL,
        selector    TEXT NOT NULL,
        algorithm   TEXT NOT NULL,
        bits        INTEGER,
        key_path    TEXT NOT NULL,
        public_key  TEXT NOT NULL,
        enabled     INTEGER NOT NULL DEFAULT 1,
        created_at  INTEGER NOT NULL,
        UNIQUE (domain, selector)
      ) STRICT;
      CREATE INDEX dkim_keys_domain ON dkim_keys(domain);
    `,
  },
  {
    version: 3,
    name: 'bounce side: bounce rules, qualification table, inbound messages, quarantine, complaints counter',
    sql: `
      -- The synchronous/inbound bounce rules (SPEC §4.2), ordered JSON documents like mx_rules; the class
      -- mapping is the setting 'bounceClassMapping'. Empty table = the shipped defaults.
      CREATE TABLE bounce_rules (
        id         INTEGER PRIMARY KEY,
        position   INTEGER NOT NULL,
        body_json  TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX bounce_rules_position ON bounce_rules(position);

      -- The delivery-log qualification table: one row per normalised reply (SPEC §4.2). manual = 1 when an
      -- analyst requalified it: its reason/type/class then override the rules for that key.
      CREATE TABLE qualification (
        id            INTEGER PRIMARY KEY,
        norm_key      TEXT NOT NULL UNIQUE,
        source        TEXT NOT NULL,
        code          INTEGER,
        enhanced      TEXT,
        first_raw     TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at  INTEGER NOT NULL,
        occurrences   INTEGER NOT NULL DEFAULT 1,
        reason        TEXT NOT NULL,
        type          TEXT NOT NULL,
        bounce_class  INTEGER NOT NULL,
        rule_id       TEXT NOT NULL,
        status        TEXT NOT NULL,
        manual        INTEGER NOT NULL DEFAULT 0,
        updated_at    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX qualification_newest ON qualification(last_seen_at, id);
      CREATE INDEX qualification_frequent ON qualification(occurrences, id);
      CREATE INDEX qualification_status_newest ON qualification(status, last_seen_at, id);
      CREATE INDEX qualification_manual ON qualification(norm_key) WHERE manual = 1;

      -- The bounce mailbox (SPEC §4.3): every message received is stored first, then parsed and applied.
      CREATE TABLE inbound_messages (
        id            INTEGER PRIMARY KEY,
        received_at   INTEGER NOT NULL,
        source        TEXT NOT NULL,
        envelope_from TEXT,
        envelope_to   TEXT,
        from_addr     TEXT,
        subject       TEXT,
        message_id    TEXT,
        kind          TEXT NOT NULL DEFAULT 'unknown',
        format        TEXT,
        note          TEXT,
        size          INTEGER NOT NULL,
        matched_by    TEXT,
        delivery_id   INTEGER,
        log_id        INTEGER,
        results_json  TEXT NOT NULL DEFAULT '[]',
        outcome       TEXT,
        error         TEXT,
        processed_at  INTEGER
      ) STRICT;
      CREATE INDEX inbound_unmatched ON inbound_messages(id) WHERE log_id IS NULL AND delivery_id IS NULL;
      CREATE INDEX inbound_kind ON inbound_messages(kind, id);
      -- Raw sources apart from the rows, so paging never reads them (a BLOB: stored atomically with the row).
      CREATE TABLE inbound_raw (
        message_id INTEGER PRIMARY KEY REFERENCES inbound_messages(id) ON DELETE CASCADE,
        raw        BLOB NOT NULL
      ) STRICT;

      -- Quarantine (SPEC §4.4), per lower-cased address.
      CREATE TABLE quarantine (
        addr_key              TEXT PRIMARY KEY,
        status                TEXT NOT NULL,
        error_count           INTEGER NOT NULL DEFAULT 0,
        last_error_at         INTEGER,
        last_counted_error_at INTEGER,
        last_reason           TEXT,
        last_type             TEXT,
        quarantined_at        INTEGER,
        updated_at            INTEGER NOT NULL,
        source                TEXT NOT NULL,
        note                  TEXT NOT NULL DEFAULT ''
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX quarantine_status ON quarantine(status, addr_key);

      -- ARF complaints per delivery (SPEC §2.2 KPI "complaints").
      ALTER TABLE deliveries ADD COLUMN n_complaints INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 4,
    name: 'dashboard: per-domain and per-reason counters maintained by triggers',
    sql: `
      -- Per-domain counters of a delivery (SPEC §2.2 per-domain breakdown), maintained by the triggers below
      -- in the same statement (hence the same transaction) as the log and queue rows they count, whichever
      -- code path changes them (relay, MTA outcomes, asynchronous bounces, stop). Definitions, per domain:
      --   n_total: log rows; n_<status>: rows by log status;
      --   n_hard: rows Failed with a hard failure type;
      --   n_soft: rows that turned soft-qualified (counted once per message, like deliveries.n_soft);
      --   n_deferred: messages in the MTA whose last attempt was deferred (like deliveries.n_soft_in_progress).
      CREATE TABLE delivery_domains (
        delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        domain      TEXT NOT NULL,
        n_total     INTEGER NOT NULL DEFAULT 0,
        n_pending   INTEGER NOT NULL DEFAULT 0,
        n_taken     INTEGER NOT NULL DEFAULT 0,
        n_sent      INTEGER NOT NULL DEFAULT 0,
        n_failed    INTEGER NOT NULL DEFAULT 0,
        n_ignored   INTEGER NOT NULL DEFAULT 0,
        n_cancelled INTEGER NOT NULL DEFAULT 0,
        n_hard      INTEGER NOT NULL DEFAULT 0,
        n_soft      INTEGER NOT NULL DEFAULT 0,
        n_deferred  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (delivery_id, domain)
      ) STRICT, WITHOUT ROWID;
      -- deliveries.domains sorted by volume (n_total only moves when rows are inserted).
      CREATE INDEX delivery_domains_volume ON delivery_domains(delivery_id, n_total, domain);

      -- The log filtered by failure type (logs.page / logs.seek), in id order.
      CREATE INDEX log_delivery_type ON delivery_log(delivery_id, failure_type, id) WHERE failure_type IS NOT NULL;

      -- Log rows by current (reason, failure type): the reasons breakdown without a GROUP BY over the log.
      CREATE TABLE delivery_reasons (
        delivery_id  INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        reason       TEXT NOT NULL,
        failure_type TEXT NOT NULL,
        n            INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (delivery_id, reason, failure_type)
      ) STRICT, WITHOUT ROWID;

      INSERT INTO delivery_domains (delivery_id, domain, n_total, n_pending, n_taken, n_sent, n_failed, n_ignored,
                                    n_cancelled, n_hard, n_soft)
      SELECT delivery_id, domain, count(*), sum(status = 'pending'), sum(status = 'taken_into_account'),
             sum(status = 'sent'), sum(status = 'failed'), sum(status = 'ignored'), sum(status = 'cancelled'),
             sum(status = 'failed' AND failure_type = 'hard'), sum(failure_type = 'soft')
        FROM delivery_log GROUP BY delivery_id, domain;
      UPDATE delivery_domains SET n_deferred = (
        SELECT count(*) FROM queue q
         WHERE q.delivery_id = delivery_domains.delivery_id AND q.domain = delivery_domains.domain
           AND q.last_error IS NOT NULL);
      INSERT INTO delivery_reasons (delivery_id, reason, failure_type, n)
      SELECT delivery_id, reason, ifnull(failure_type, 'not_defined'), count(*)
        FROM delivery_log WHERE reason IS NOT NULL GROUP BY 1, 2, 3;

      CREATE TRIGGER log_counts_insert AFTER INSERT ON delivery_log
      BEGIN
        INSERT INTO delivery_domains (delivery_id, domain, n_total, n_pending, n_taken, n_sent, n_failed,
                                      n_ignored, n_cancelled, n_hard, n_soft)
        VALUES (NEW.delivery_id, NEW.domain, 1, NEW.status = 'pending', NEW.status = 'taken_into_account',
                NEW.status = 'sent', NEW.status = 'failed', NEW.status = 'ignored', NEW.status = 'cancelled',
                NEW.status = 'failed' AND NEW.failure_type IS 'hard', NEW.failure_type IS 'soft')
        ON CONFLICT (delivery_id, domain) DO UPDATE SET
          n_total = n_total + 1,
          n_pending = n_pending + excluded.n_pending,
          n_taken = n_taken + excluded.n_taken,
          n_sent = n_sent + excluded.n_sent,
          n_failed = n_failed + excluded.n_failed,
          n_ignored = n_ignored + excluded.n_ignored,
          n_cancelled = n_cancelled + excluded.n_cancelled,
          n_hard = n_hard + excluded.n_hard,
          n_soft = n_soft + excluded.n_soft;
        INSERT INTO delivery_reasons (delivery_id, reason, failure_type, n)
        SELECT NEW.delivery_id, NEW.reason, ifnull(NEW.failure_type, 'not_defined'), 1
         WHERE NEW.reason IS NOT NULL
        ON CONFLICT (delivery_id, reason, failure_type) DO UPDATE SET n = n + 1;
      END;

      CREATE TRIGGER log_counts_update AFTER UPDATE OF status, failure_type ON delivery_log
      WHEN OLD.status IS NOT NEW.status OR OLD.failure_type IS NOT NEW.failure_type
      BEGIN
        UPDATE delivery_domains SET
          n_pending = n_pending + (NEW.status = 'pending') - (OLD.status = 'pending'),
          n_taken = n_taken + (NEW.status = 'taken_into_account') - (OLD.status = 'taken_into_account'),
          n_sent = n_sent + (NEW.status = 'sent') - (OLD.status = 'sent'),
          n_failed = n_failed + (NEW.status = 'failed') - (OLD.status = 'failed'),
          n_ignored = n_ignored + (NEW.status = 'ignored') - (OLD.status = 'ignored'),
          n_cancelled = n_cancelled + (NEW.status = 'cancelled') - (OLD.status = 'cancelled'),
          n_hard = n_hard + (NEW.status = 'failed' AND NEW.failure_type IS 'hard')
                          - (OLD.status = 'failed' AND OLD.failure_type IS 'hard'),
          n_soft = n_soft + (NEW.failure_type IS 'soft' AND OLD.failure_type IS NOT 'soft')
        WHERE delivery_id = NEW.delivery_id AND domain = NEW.domain;
      END;

      CREATE TRIGGER log_reasons_update AFTER UPDATE OF reason, failure_type ON delivery_log
      WHEN OLD.reason IS NOT NEW.reason OR OLD.failure_type IS NOT NEW.failure_type
      BEGIN
        UPDATE delivery_reasons SET n = n - 1
         WHERE OLD.reason IS NOT NULL AND delivery_id = OLD.delivery_id AND reason = OLD.reason
           AND failure_type = ifnull(OLD.failure_type, 'not_defined');
        INSERT INTO delivery_reasons (delivery_id, reason, failure_type, n)
        SELECT NEW.delivery_id, NEW.reason, ifnull(NEW.failure_type, 'not_defined'), 1
         WHERE NEW.reason IS NOT NULL
        ON CONFLICT (delivery_id, reason, failure_type) DO UPDATE SET n = n + 1;
      END;

      CREATE TRIGGER queue_deferred_update AFTER UPDATE OF last_error ON queue
      WHEN (OLD.last_error IS NULL) <> (NEW.last_error IS NULL)
      BEGIN
        UPDATE delivery_domains SET n_deferred = n_deferred + (NEW.last_error IS NOT NULL) - (OLD.last_error IS NOT NULL)
         WHERE delivery_id = NEW.delivery_id AND domain = NEW.domain;
      END;

      CREATE TRIGGER queue_deferred_delete AFTER DELETE ON queue WHEN OLD.last_error IS NOT NULL
      BEGIN
        UPDATE delivery_domains SET n_deferred = n_deferred - 1
         WHERE delivery_id = OLD.delivery_id AND domain = OLD.domain;
      END;
    `,
  },
  {
    version: 5,
    name: 'rule revisions: a counter per rule set, bumped by triggers on every write',
    sql: `
      -- A running engine notices rules written by another process (\`relaydeck rules import\` next to a
      -- \`serve\`) by reading one counter instead of the rules. The triggers bump it on every row written,
      -- whichever code path writes: 'mx_rules' covers the MX rules, automation rules and adaptive settings,
      -- 'bounce_rules' the bounce rules, the class mapping and the analysts' manual qualifications.
      CREATE TABLE rule_revisions (
        name     TEXT PRIMARY KEY,
        revision INTEGER NOT NULL DEFAULT 0
      ) STRICT, WITHOUT ROWID;
      INSERT INTO rule_revisions (name) VALUES ('mx_rules'), ('bounce_rules');

      CREATE TRIGGER mx_rules_revision_insert AFTER INSERT ON mx_rules
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'mx_rules'; END;
      CREATE TRIGGER mx_rules_revision_update AFTER UPDATE ON mx_rules
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'mx_rules'; END;
      CREATE TRIGGER mx_rules_revision_delete AFTER DELETE ON mx_rules
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'mx_rules'; END;

      CREATE TRIGGER automation_rules_revision_insert AFTER INSERT ON automation_rules
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'mx_rules'; END;
      CREATE TRIGGER automation_rules_revision_update AFTER UPDATE ON automation_rules
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'mx_rules'; END;
      CREATE TRIGGER automation_rules_revision_delete AFTER DELETE ON automation_rules
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'mx_rules'; END;

      CREATE TRIGGER bounce_rules_revision_insert AFTER INSERT ON bounce_rules
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'bounce_rules'; END;
      CREATE TRIGGER bounce_rules_revision_update AFTER UPDATE ON bounce_rules
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'bounce_rules'; END;
      CREATE TRIGGER bounce_rules_revision_delete AFTER DELETE ON bounce_rules
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'bounce_rules'; END;

      CREATE TRIGGER settings_revision_insert AFTER INSERT ON settings
      WHEN NEW.key IN ('adaptiveSettings', 'bounceClassMapping')
      BEGIN
        UPDATE rule_revisions SET revision = revision + 1
         WHERE name = iif(NEW.key = 'adaptiveSettings', 'mx_rules', 'bounce_rules');
      END;
      CREATE TRIGGER settings_revision_update AFTER UPDATE ON settings
      WHEN NEW.key IN ('adaptiveSettings', 'bounceClassMapping') AND OLD.value IS NOT NEW.value
      BEGIN
        UPDATE rule_revisions SET revision = revision + 1
         WHERE name = iif(NEW.key = 'adaptiveSettings', 'mx_rules', 'bounce_rules');
      END;
      CREATE TRIGGER settings_revision_delete AFTER DELETE ON settings
      WHEN OLD.key IN ('adaptiveSettings', 'bounceClassMapping')
      BEGIN
        UPDATE rule_revisions SET revision = revision + 1
         WHERE name = iif(OLD.key = 'adaptiveSettings', 'mx_rules', 'bounce_rules');
      END;

      -- Only manual rows are overrides; the hot path's occurrence upserts leave them unchanged.
      CREATE TRIGGER qualification_revision_update AFTER UPDATE OF manual, reason, type, bounce_class ON qualification
      WHEN (OLD.manual OR NEW.manual)
       AND (OLD.manual IS NOT NEW.manual OR OLD.reason IS NOT NEW.reason OR OLD.type IS NOT NEW.type
            OR OLD.bounce_class IS NOT NEW.bounce_class)
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'bounce_rules'; END;
      CREATE TRIGGER qualification_revision_delete AFTER DELETE ON qualification WHEN OLD.manual
      BEGIN UPDATE rule_revisions SET revision = revision + 1 WHERE name = 'bounce_rules'; END;
    `,
  },
  {
    version: 6,
    name: 'soft bounces counted once per message: delivery_log.soft_counted',
    sql: `
      -- n_soft (deliveries and delivery_domains) counts a message once, at its first soft qualification. A
      -- successful retry clears the row's failure type, so an asynchronous soft DSN arriving after that
      -- acceptance looked like a first soft bounce and was counted again: soft_counted remembers it, set by the
      -- triggers below on every path that makes a row soft.
      ALTER TABLE delivery_log ADD COLUMN soft_counted INTEGER NOT NULL DEFAULT 0;
      -- Rows counted before this migration: soft now, or soft-bounced before being accepted (a deferred attempt).
      UPDATE delivery_log SET soft_counted = 1
       WHERE failure_type = 'soft' OR id IN (SELECT log_id FROM attempts WHERE outcome = 'deferred');

      CREATE TRIGGER log_soft_counted_insert AFTER INSERT ON delivery_log
      WHEN NEW.failure_type IS 'soft' AND NOT NEW.soft_counted
      BEGIN UPDATE delivery_log SET soft_counted = 1 WHERE id = NEW.id; END;
      CREATE TRIGGER log_soft_counted_update AFTER UPDATE OF failure_type ON delivery_log
      WHEN NEW.failure_type IS 'soft' AND NOT NEW.soft_counted
      BEGIN UPDATE delivery_log SET soft_counted = 1 WHERE id = NEW.id; END;

      -- Migration 4's trigger, with n_soft moved by a row's first soft qualification instead of any change to soft.
      DROP TRIGGER log_counts_update;
      CREATE TRIGGER log_counts_update AFTER UPDATE OF status, failure_type ON delivery_log
      WHEN OLD.status IS NOT NEW.status OR OLD.failure_type IS NOT NEW.failure_type
      BEGIN
        UPDATE delivery_domains SET
          n_pending = n_pending + (NEW.status = 'pending') - (OLD.status = 'pending'),
          n_taken = n_taken + (NEW.status = 'taken_into_account') - (OLD.status = 'taken_into_account'),
          n_sent = n_sent + (NEW.status = 'sent') - (OLD.status = 'sent'),
          n_failed = n_failed + (NEW.status = 'failed') - (OLD.status = 'failed'),
          n_ignored = n_ignored + (NEW.status = 'ignored') - (OLD.status = 'ignored'),
          n_cancelled = n_cancelled + (NEW.status = 'cancelled') - (OLD.status = 'cancelled'),
          n_hard = n_hard + (NEW.status = 'failed' AND NEW.failure_type IS 'hard')
                          - (OLD.status = 'failed' AND OLD.failure_type IS 'hard'),
          n_soft = n_soft + (NEW.failure_type IS 'soft' AND NOT OLD.soft_counted)
        WHERE delivery_id = NEW.delivery_id AND domain = NEW.domain;
      END;
    `,
  },
  {
    version: 7,
    name: 'queue: leases walk the free rows only; no index by delivery',
    sql: `
      -- A lease takes the oldest due rows that nobody holds. With an index on due_at alone it stepped over every
      -- message in flight (their due times are the oldest) and read each row to see its lease; free rows have
      -- lease_until = 0 (expired leases are set back to 0 before each lease), so this index holds free rows only.
      DROP INDEX queue_due;
      CREATE INDEX queue_free ON queue(due_at) WHERE lease_until = 0;
      -- Nothing reads the queue by delivery (deliveries.n_in_mta counts it): one index less per message.
      DROP INDEX queue_delivery;
    `,
  },
  {
    version: 8,
    name: 'qualification: why the rule decided',
    sql: `
      -- The sentence the classifier gives with each verdict (the rule and the words of the reply it matched, the
      -- status code and its RFC 3463 meaning, or the fallback), so an analyst can see and correct a
      -- qualification. Rows qualified before this version have none ('').
      ALTER TABLE qualification ADD COLUMN why TEXT NOT NULL DEFAULT '';
    `,
  },
  {
    version: 9,
    name: 'one revisions table: a counter per topic (rules, bounce rules, DKIM keys, settings), bumped by triggers',
    sql: `
      -- One way for a running process to see another process's writes: the revision watcher reads this table
      -- (a few rows) at most once per period of the injected clock and calls the subscribers of the topics that
      -- moved. 'mx_rules' covers the MX rules, automation rules and adaptive settings; 'bounce_rules' the bounce
      -- rules, the class mapping and the analysts' manual qualifications; 'dkim_keys' the DKIM keys; 'settings'
      -- every setting. Replaces migration 5's rule_revisions (its counts are kept).
      CREATE TABLE revisions (
        topic    TEXT PRIMARY KEY,
        revision INTEGER NOT NULL DEFAULT 0
      ) STRICT, WITHOUT ROWID;
      INSERT INTO revisions (topic, revision) SELECT name, revision FROM rule_revisions;
      INSERT INTO revisions (topic) VALUES ('dkim_keys'), ('settings');

      DROP TRIGGER mx_rules_revision_insert;
      DROP TRIGGER mx_rules_revision_update;
      DROP TRIGGER mx_rules_revision_delete;
      DROP TRIGGER automation_rules_revision_insert;
      DROP TRIGGER automation_rules_revision_update;
      DROP TRIGGER automation_rules_revision_delete;
      DROP TRIGGER bounce_rules_revision_insert;
      DROP TRIGGER bounce_rules_revision_update;
      DROP TRIGGER bounce_rules_revision_delete;
      DROP TRIGGER settings_revision_insert;
      DROP TRIGGER settings_revision_update;
      DROP TRIGGER settings_revision_delete;
      DROP TRIGGER qualification_revision_update;
      DROP TRIGGER qualification_revision_delete;
      DROP TABLE rule_revisions;

      CREATE TRIGGER mx_rules_revision_insert AFTER INSERT ON mx_rules
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'mx_rules'; END;
      CREATE TRIGGER mx_rules_revision_update AFTER UPDATE ON mx_rules
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'mx_rules'; END;
      CREATE TRIGGER mx_rules_revision_delete AFTER DELETE ON mx_rules
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'mx_rules'; END;

      CREATE TRIGGER automation_rules_revision_insert AFTER INSERT ON automation_rules
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'mx_rules'; END;
      CREATE TRIGGER automation_rules_revision_update AFTER UPDATE ON automation_rules
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'mx_rules'; END;
      CREATE TRIGGER automation_rules_revision_delete AFTER DELETE ON automation_rules
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'mx_rules'; END;

      CREATE TRIGGER bounce_rules_revision_insert AFTER INSERT ON bounce_rules
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'bounce_rules'; END;
      CREATE TRIGGER bounce_rules_revision_update AFTER UPDATE ON bounce_rules
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'bounce_rules'; END;
      CREATE TRIGGER bounce_rules_revision_delete AFTER DELETE ON bounce_rules
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'bounce_rules'; END;

      -- Every setting moves 'settings'; the two that belong to a rule set move that set too.
      CREATE TRIGGER settings_revision_insert AFTER INSERT ON settings
      BEGIN
        UPDATE revisions SET revision = revision + 1
         WHERE topic = 'settings'
            OR topic = CASE NEW.key WHEN 'adaptiveSettings' THEN 'mx_rules'
                                    WHEN 'bounceClassMapping' THEN 'bounce_rules' END;
      END;
      CREATE TRIGGER settings_revision_update AFTER UPDATE ON settings
      WHEN OLD.key IS NOT NEW.key OR OLD.value IS NOT NEW.value
      BEGIN
        UPDATE revisions SET revision = revision + 1
         WHERE topic = 'settings'
            OR topic IN (CASE OLD.key WHEN 'adaptiveSettings' THEN 'mx_rules'
                                      WHEN 'bounceClassMapping' THEN 'bounce_rules' END,
                         CASE NEW.key WHEN 'adaptiveSettings' THEN 'mx_rules'
                                      WHEN 'bounceClassMapping' THEN 'bounce_rules' END);
      END;
      CREATE TRIGGER settings_revision_delete AFTER DELETE ON settings
      BEGIN
        UPDATE revisions SET revision = revision + 1
         WHERE topic = 'settings'
            OR topic = CASE OLD.key WHEN 'adaptiveSettings' THEN 'mx_rules'
                                    WHEN 'bounceClassMapping' THEN 'bounce_rules' END;
      END;

      -- Only manual rows are overrides; the hot path's occurrence upserts leave them unchanged.
      CREATE TRIGGER qualification_revision_update AFTER UPDATE OF manual, reason, type, bounce_class ON qualification
      WHEN (OLD.manual OR NEW.manual)
       AND (OLD.manual IS NOT NEW.manual OR OLD.reason IS NOT NEW.reason OR OLD.type IS NOT NEW.type
            OR OLD.bounce_class IS NOT NEW.bounce_class)
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'bounce_rules'; END;
      CREATE TRIGGER qualification_revision_delete AFTER DELETE ON qualification WHEN OLD.manual
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'bounce_rules'; END;

      CREATE TRIGGER dkim_keys_revision_insert AFTER INSERT ON dkim_keys
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'dkim_keys'; END;
      CREATE TRIGGER dkim_keys_revision_update AFTER UPDATE ON dkim_keys
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'dkim_keys'; END;
      CREATE TRIGGER dkim_keys_revision_delete AFTER DELETE ON dkim_keys
      BEGIN UPDATE revisions SET revision = revision + 1 WHERE topic = 'dkim_keys'; END;
    `,
  },
  {
    version: 10,
    name: 'counters: per-domain and per-reason counters kept by the ledger, like the delivery counters',
    sql: `
      -- One mechanism for every counter: the ledger (src/main/store/ledger.ts), the only writer of the log's
      -- statuses and of the queue's final states, moves the delivery, per-domain and per-reason counters in the
      -- transaction that changes the rows they count, once per delivery / domain / reason per batch instead of
      -- once per row. It also sets soft_counted (migration 6) when it makes a row soft.
      DROP TRIGGER log_counts_insert;
      DROP TRIGGER log_counts_update;
      DROP TRIGGER log_reasons_update;
      DROP TRIGGER queue_deferred_update;
      DROP TRIGGER queue_deferred_delete;
      DROP TRIGGER log_soft_counted_insert;
      DROP TRIGGER log_soft_counted_update;
    `,
  },
  {
    version: 11,
    name: 'inbound mail: content hash (a message is stored once), received_at index (retention)',
    sql: `
      -- SHA-256 of the raw source (hex): the same message received or imported twice is stored once. Rows
      -- stored before this version have none (NULL, not compared).
      ALTER TABLE inbound_messages ADD COLUMN content_hash TEXT;
      CREATE UNIQUE INDEX inbound_content ON inbound_messages(content_hash) WHERE content_hash IS NOT NULL;
      -- Retention deletes the oldest messages by age.
      CREATE INDEX inbound_received ON inbound_messages(received_at);
    `,
  },
  {
    version: 12,
    name: 'imports: a journal of file imports that cannot be one transaction (mbox), so a partial one is seen',
    sql: `
      -- One row per import that is written in several transactions: an mbox applied message by message
      -- (kind 'mbox', relaydeck inmail import) or a delivery's list written batch by batch (kind 'delivery',
      -- source 'delivery:<id>', fingerprint the process's host:pid). status 'running' until it ends
      -- ('complete'); a process killed mid-way leaves it 'running': an mbox import with the number of messages
      -- done, which the next run reports and resumes from when the file is unchanged (same size and
      -- modification time: fingerprint), a delivery whose preparation the next process removes
      -- ('abandoned', as is the row of an mbox that changed).
      CREATE TABLE imports (
        id          INTEGER PRIMARY KEY,
        kind        TEXT    NOT NULL,
        source      TEXT    NOT NULL,
        fingerprint TEXT    NOT NULL,
        started_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        done        INTEGER NOT NULL DEFAULT 0,
        status      TEXT    NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', 'abandoned'))
      );
      CREATE INDEX imports_running ON imports (kind, source) WHERE status = 'running';
    `,
  },
  {
    version: 13,
    name: 'learnt limits per destination and its reputation history per day',
    sql: `
      -- Limits learnt from a receiver's answers (SPEC §6), kept across deliveries and restarts: a new delivery
      -- starts from them. NULL = nothing learnt (the rule's limit). suspension_level counts the suspensions in
      -- a row (each one longer, capped); it falls back to 0 after a clean period.
      ALTER TABLE destination_state ADD COLUMN learnt_max_connections INTEGER;
      ALTER TABLE destination_state ADD COLUMN learnt_messages_per_connection INTEGER;
      ALTER TABLE destination_state ADD COLUMN suspension_level INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE destination_state ADD COLUMN learnt_at INTEGER;

      -- Reputation history: one row per destination per UTC day (YYYY-MM-DD): what the receiver answered and
      -- the limits in force at the day's last update.
      CREATE TABLE destination_days (
        destination              TEXT    NOT NULL,
        day                      TEXT    NOT NULL,
        accepted                 INTEGER NOT NULL DEFAULT 0,
        deferred                 INTEGER NOT NULL DEFAULT 0,
        failed                   INTEGER NOT NULL DEFAULT 0,
        -- Sessions refused at connect or greeting (no message offered).
        refused_sessions         INTEGER NOT NULL DEFAULT 0,
        max_connections          INTEGER,
        messages_per_connection  INTEGER,
        rate_per_hour            REAL,
        updated_at               INTEGER NOT NULL,
        PRIMARY KEY (destination, day)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 14,
    name: 'simulations of campaigns against the sandbox profiles',
    sql: `
      -- One row per simulation (src/main/simulate): what was simulated, its state and, once done, every
      -- scenario's outcome as JSON (the contract's ScenarioResult[]). Each scenario ran in its own scratch store.
      CREATE TABLE simulations (
        id              INTEGER PRIMARY KEY,
        name            TEXT    NOT NULL,
        created_at      INTEGER NOT NULL,
        state           TEXT    NOT NULL CHECK (state IN ('running', 'done', 'failed')),
        error           TEXT,
        recipients      INTEGER NOT NULL,
        seed            INTEGER NOT NULL,
        template_name   TEXT    NOT NULL,
        file_name       TEXT    NOT NULL,
        scenarios_json  TEXT    NOT NULL,
        profiles_json   TEXT    NOT NULL,
        progress_json   TEXT    NOT NULL,
        results_json    TEXT,
        real_ms         INTEGER
      ) STRICT;
    `,
  },
  {
    version: 15,
    name: 'soft bounces as a final state: n_soft_failed (Failed with a soft type), per delivery and per domain',
    sql: `
      -- docs/kpi.md: "Soft bounces" are messages whose current state is Failed with a Soft type (a 5xx the
      -- rules qualify soft, or the validity period ending after soft bounces), like the hard bounces are Failed
      -- with a Hard type. n_soft (a message that ever had a soft bounce, even when a retry then delivered it)
      -- counted greylisted-then-delivered messages as bounces; it stays for the record, unused by the KPIs.
      -- Messages retried now after a soft bounce stay n_soft_in_progress / n_deferred.
      ALTER TABLE deliveries ADD COLUMN n_soft_failed INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE delivery_domains ADD COLUMN n_soft_failed INTEGER NOT NULL DEFAULT 0;
      UPDATE deliveries SET n_soft_failed = (
        SELECT count(*) FROM delivery_log l
         WHERE l.delivery_id = deliveries.id AND l.status = 'failed' AND l.failure_type = 'soft');
      UPDATE delivery_domains SET n_soft_failed = (
        SELECT count(*) FROM delivery_log l
         WHERE l.delivery_id = delivery_domains.delivery_id AND l.domain = delivery_domains.domain
           AND l.status = 'failed' AND l.failure_type = 'soft');
    `,
  },
  {
    version: 16,
    name: 'message viewer: what a sent message was built with; template fields beyond the columns',
    sql: `
      -- What the rebuild of a message as sent needs beyond its row and its delivery's template (JSON, written
      -- with each attempt by the ledger): {"at": the Date header and DKIM t= (ms), "keys": {"rsa": selector,
      -- "ed25519": selector} or null when unsigned, "shared": the Message-ID of a message shared by a group
      -- transaction, or null}. NULL for rows never sent (or sent before this version).
      ALTER TABLE delivery_log ADD COLUMN sent_json TEXT;
      -- A saved template's fields that have no column of their own (issue 15's headers will live here), as a
      -- JSON object merged over the columns when read; and when it was last saved.
      ALTER TABLE templates ADD COLUMN extra_json TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE templates ADD COLUMN updated_at INTEGER;
    `,
  },
  {
    version: 17,
    name: 'inbound messages found by the log row they report on',
    sql: `
      -- The delivery log's drawer lists the reports received about one message (logs.attempts): by the row a
      -- report was tied to, and, for a group transaction's report tied to its delivery only, by the delivery.
      CREATE INDEX inbound_log ON inbound_messages(log_id) WHERE log_id IS NOT NULL;
      CREATE INDEX inbound_delivery ON inbound_messages(delivery_id, id)
        WHERE delivery_id IS NOT NULL AND log_id IS NULL;
    `,
  },
  {
    version: 18,
    name: 'lists: quarantine search (domain index, trigram index), counts per status, deliveries by creation time',
    sql: `
      -- \`@corp.test\` in the quarantine search: the part after the address's last @, computed by SQLite (a
      -- virtual column, nothing to backfill) and indexed with the key so a domain's page is keyset-ordered.
      ALTER TABLE quarantine ADD COLUMN domain TEXT
        GENERATED ALWAYS AS (replace(addr_key, rtrim(addr_key, replace(addr_key, '@', '')), '')) VIRTUAL;
      CREATE INDEX quarantine_domain ON quarantine(domain, addr_key);

      -- "corp" in the quarantine search: a part of the address, found in an FTS5 trigram index rather than by
      -- reading every address. The index is contentless (it holds the trigrams, not the addresses) and FTS5
      -- needs integer rowids, which the quarantine has not (WITHOUT ROWID): quarantine_search numbers the
      -- addresses. quarantine-repo.ts, the list's only writer, keeps both with each address added or removed
      -- (in application code, as the counters: an FTS5 insert from a trigger costs six times one from the code).
      CREATE TABLE quarantine_search (
        id        INTEGER PRIMARY KEY,
        addr_key  TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE VIRTUAL TABLE quarantine_fts USING fts5(
        addr_key, content = '', contentless_delete = 1, tokenize = 'trigram'
      );
      INSERT INTO quarantine_search(addr_key) SELECT addr_key FROM quarantine ORDER BY addr_key;
      INSERT INTO quarantine_fts(rowid, addr_key) SELECT id, addr_key FROM quarantine_search;

      -- The number of addresses per status, shown above the list with every page (a search asks for a page per
      -- keystroke): kept by quarantine-repo.ts, the only writer of the list, instead of counting a million rows.
      CREATE TABLE quarantine_counts (
        status  TEXT PRIMARY KEY,
        n       INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO quarantine_counts(status, n) SELECT status, count(*) FROM quarantine GROUP BY status;

      -- The deliveries list's default order (newest first) and its date range, keyset paged on this index.
      CREATE INDEX deliveries_created ON deliveries(created_at, id);

      -- The time rules run before each page of the list (settleQuarantine): these partial indexes hold only the
      -- rows they can change, so a page does not read every address with errors to find none due.
      CREATE INDEX quarantine_counter_due ON quarantine(status, last_error_at) WHERE error_count > 0;
      CREATE INDEX quarantine_mailbox_full_due ON quarantine(status, last_reason, quarantined_at)
        WHERE status = 'quarantine' AND last_reason = 'mailbox_full';
    `,
  },
  {
    version: 19,
    name: 'deliveries: the pre-send analysis and whether its errors were acknowledged',
    sql: `
      -- The pre-send analysis (issue 15) a delivery was created with: the report as the analyst saw it (JSON of
      -- the contract's AnalysisReport) and whether its errors were acknowledged. No row: created without one.
      CREATE TABLE delivery_analysis (
        delivery_id          INTEGER PRIMARY KEY REFERENCES deliveries(id) ON DELETE CASCADE,
        report_json          TEXT NOT NULL,
        acknowledged_errors  INTEGER NOT NULL,
        recorded_at          INTEGER NOT NULL
      ) STRICT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
