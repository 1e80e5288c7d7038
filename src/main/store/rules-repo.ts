/**
 * MX rules, automation rules and adaptive settings (SPEC §6), stored as ordered JSON documents validated by the
 * shared schemas. A fresh store is seeded with the shipped defaults on first read.
 */
import type { z } from 'zod';
import { AdaptiveSettings, AutomationRule, MxRule, RulesDocument } from '../../shared/contract/mta';
import { DEFAULT_RULES } from '../defaults/mx-rules';
import { writeTransaction, type Db } from './db';
import { getSetting, setSetting } from './settings-repo';
import { stmt } from './statements';

interface RuleRow {
  position: number;
  body_json: string;
}

/** The rules in force; seeds `DEFAULT_RULES` when the store has none yet. */
export function loadRules(db: Db): RulesDocument {
  const mxRows = stmt(db, 'SELECT position, body_json FROM mx_rules ORDER BY position').all() as RuleRow[];
  if (mxRows.length === 0) return saveRules(db, DEFAULT_RULES, 0);
  const autoRows = stmt(
    db,
    'SELECT position, body_json FROM automation_rules ORDER BY position',
  ).all() as RuleRow[];
  return RulesDocument.parse({
    format: 'relaydeck-rules',
    version: 1,
    mxRules: mxRows.map((r) => parseRow(MxRule, 'mx_rules', r)),
    automationRules: autoRows.map((r) => parseRow(AutomationRule, 'automation_rules', r)),
    adaptive: getSetting(db, 'adaptiveSettings') ?? AdaptiveSettings.parse({}),
  });
}

/** Replaces every rule in one transaction. The document is validated first; returns it as stored. */
export function saveRules(db: Db, doc: RulesDocument, now: number): RulesDocument {
  const checked = RulesDocument.parse(doc);
  writeTransaction(db, () => {
    stmt(db, 'DELETE FROM mx_rules').run();
    stmt(db, 'DELETE FROM automation_rules').run();
    const insertMx = stmt(db, 'INSERT INTO mx_rules (position, body_json, updated_at) VALUES (?, ?, ?)');
    checked.mxRules.forEach((rule, i) => insertMx.run(i, JSON.stringify(rule), now));
    const insertAuto = stmt(
      db,
      'INSERT INTO automation_rules (position, body_json, updated_at) VALUES (?, ?, ?)',
    );
    checked.automationRules.forEach((rule, i) => insertAuto.run(i, JSON.stringify(rule), now));
    setSetting(db, 'adaptiveSettings', checked.adaptive);
  })();
  return checked;
}

function parseRow<T>(schema: z.ZodType<T>, table: string, row: RuleRow): T {
  let json: unknown;
  try {
    json = JSON.parse(row.body_json);
  } catch (err) {
    throw new Error(`${table} position ${row.position}: body_json is not JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${table} position ${row.position}: invalid rule: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
