/**
 * Saved message templates. The template's fields have their columns; fields added to `MessageTemplate` later
 * (issue 15's headers) are kept in `extra_json` (migration 16) and merged back when read, so a new field needs
 * no new column.
 */
import type { MessageTemplate, SavedTemplate } from '../../shared/contract/schemas';
import type { Db } from './db';
import { toSavedTemplate, type TemplateRow } from './mappers';
import { stmt } from './statements';

const COLUMNS = new Set(['fromName', 'fromAddress', 'subject', 'text', 'html']);

/** The statement parameters of a template: its columns, and the rest as `extra_json`. */
function templateParams(template: MessageTemplate) {
  const extra = Object.fromEntries(Object.entries(template).filter(([k]) => !COLUMNS.has(k)));
  return {
    fromName: template.fromName,
    fromAddress: template.fromAddress,
    subject: template.subject,
    text: template.text,
    html: template.html,
    extra: JSON.stringify(extra),
  };
}

export function insertTemplate(db: Db, name: string, template: MessageTemplate, now: number): string {
  const result = stmt(
    db,
    `INSERT INTO templates(name, from_name, from_address, subject, text, html, extra_json, created_at, updated_at)
     VALUES (@name, @fromName, @fromAddress, @subject, @text, @html, @extra, @now, @now)`,
  ).run({ name, ...templateParams(template), now });
  return String(result.lastInsertRowid);
}

/** Replaces a saved template's name and content; false when it does not exist. */
export function updateTemplate(
  db: Db,
  id: number,
  name: string,
  template: MessageTemplate,
  now: number,
): boolean {
  const result = stmt(
    db,
    `UPDATE templates SET name = @name, from_name = @fromName, from_address = @fromAddress, subject = @subject,
            text = @text, html = @html, extra_json = @extra, updated_at = @now
      WHERE id = @id`,
  ).run({ id, name, ...templateParams(template), now });
  return result.changes > 0;
}

export function getTemplate(db: Db, id: number): SavedTemplate | undefined {
  const row = stmt(db, 'SELECT * FROM templates WHERE id = ?').get(id) as TemplateRow | undefined;
  return row && toSavedTemplate(row);
}

/** The id of the saved template with this name (case-insensitive), if any. */
export function templateIdByName(db: Db, name: string): number | undefined {
  const row = stmt(db, 'SELECT id FROM templates WHERE lower(name) = lower(?) ORDER BY id LIMIT 1').get(
    name,
  ) as { id: number } | undefined;
  return row?.id;
}

export function deleteTemplate(db: Db, id: number): boolean {
  return stmt(db, 'DELETE FROM templates WHERE id = ?').run(id).changes > 0;
}

export function listTemplates(db: Db): SavedTemplate[] {
  const rows = stmt(db, 'SELECT * FROM templates ORDER BY id').all() as TemplateRow[];
  return rows.map(toSavedTemplate);
}
