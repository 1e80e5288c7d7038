/**
 * The stored bounce rules (SPEC §4.2): the ordered rule table as JSON documents validated by the shared schema,
 * and the class mapping as the setting `bounceClassMapping`. An empty table means the shipped defaults
 * (`DEFAULT_BOUNCE_RULES`, seeded on first save); a reset deletes the stored table again, so shipped updates of
 * the defaults reach data dirs that never changed them.
 */
import type { BounceRulesDocument, BounceRulesState, ClassMappingRow } from '../../shared/contract/bounce';
import {
  BOUNCE_CLASS_MAPPING,
  BounceRuleSchema,
  type BounceClassMapping,
  type BounceRule,
} from '../../shared/domain/bounce-rules';
import { BOUNCE_CLASS_IDS } from '../../shared/domain/reasons';
import { DEFAULT_BOUNCE_RULES } from '../defaults/bounce-rules';
import { writeTransaction, type Db } from './db';
import { getSetting, setSetting } from './settings-repo';
import { stmt } from './statements';

export function mappingRows(mapping: BounceClassMapping): ClassMappingRow[] {
  return BOUNCE_CLASS_IDS.map((bounceClass) => ({ bounceClass, ...mapping[bounceClass] }));
}

export function mappingOf(rows: readonly ClassMappingRow[]): BounceClassMapping {
  const mapping = { ...BOUNCE_CLASS_MAPPING };
  for (const { bounceClass, reason, permanent, transient } of rows)
    mapping[bounceClass] = { reason, permanent, transient };
  return mapping;
}

/** The rules and mapping in force. */
export function loadBounceRules(db: Db): BounceRulesState {
  const rows = stmt(db, 'SELECT position, body_json FROM bounce_rules ORDER BY position').all() as {
    position: number;
    body_json: string;
  }[];
  const rules: BounceRule[] = rows.length
    ? rows.map((r) => {
        const parsed = BounceRuleSchema.safeParse(JSON.parse(r.body_json));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new Error(
            `bounce_rules position ${r.position}: invalid rule: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
          );
        }
        return parsed.data;
      })
    : [...DEFAULT_BOUNCE_RULES];
  const mapping = getSetting(db, 'bounceClassMapping');
  const savedAt = getSetting(db, 'bounceRulesSavedAt') ?? null;
  return {
    rules,
    classMapping: mappingRows(mapping ? mappingOf(mapping) : BOUNCE_CLASS_MAPPING),
    isDefault: rows.length === 0 && mapping === undefined,
    updatedAt: savedAt,
  };
}

/** Replaces the table and the mapping in one transaction (the caller has checked the rules). */
export function saveBounceRules(db: Db, doc: BounceRulesDocument, now: number): BounceRulesState {
  writeTransaction(db, () => {
    stmt(db, 'DELETE FROM bounce_rules').run();
    const insert = stmt(db, 'INSERT INTO bounce_rules (position, body_json, updated_at) VALUES (?, ?, ?)');
    doc.rules.forEach((rule, i) => insert.run(i, JSON.stringify(rule), now));
    setSetting(db, 'bounceClassMapping', doc.classMapping);
    setSetting(db, 'bounceRulesSavedAt', now);
  })();
  return loadBounceRules(db);
}

/** Back to the shipped rules and mapping. */
export function resetBounceRules(db: Db, now: number): BounceRulesState {
  writeTransaction(db, () => {
    stmt(db, 'DELETE FROM bounce_rules').run();
    stmt(db, "DELETE FROM settings WHERE key = 'bounceClassMapping'").run();
    setSetting(db, 'bounceRulesSavedAt', now);
  })();
  return loadBounceRules(db);
}
