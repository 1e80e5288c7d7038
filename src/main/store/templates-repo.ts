/** Saved message templates. */
import type { MessageTemplate, SavedTemplate } from '../../shared/contract/schemas';
import type { Db } from './db';
import { toSavedTemplate, type TemplateRow } from './mappers';
import { stmt } from './statements';

export function insertTemplate(db: Db, name: string, template: MessageTemplate, now: number): string {
  const result = stmt(
    db,
    `INSERT INTO templates(name, from_name, from_address, subject, text, html, created_at)
     VALUES (@name, @fromName, @fromAddress, @subject, @text, @html, @now)`,
  ).run({ name, ...template, now });
  return String(result.lastInsertRowid);
}

export function listTemplates(db: Db): SavedTemplate[] {
  const rows = stmt(db, 'SELECT * FROM templates ORDER BY id').all() as TemplateRow[];
  return rows.map(toSavedTemplate);
}
