/**
 * The rules document as JSON text: what `relaydeck rules export` writes, the console downloads, and both
 * read back on import. The text is canonical (schema key order, two-space indent, trailing newline), so the
 * same rules always give byte-identical files under version control.
 */
import type { z } from 'zod';
import type { ErrorDetail } from './errors';
import { issueDetails } from './issues';
import { RulesDocument } from './mta';

export function formatRulesJson(doc: z.input<typeof RulesDocument>): string {
  // Parsing again orders every object's keys as the schema declares them, whatever order the input had.
  return `${JSON.stringify(RulesDocument.parse(doc), null, 2)}\n`;
}

export type RulesCheck = { ok: true; doc: RulesDocument } | { ok: false; problems: ErrorDetail[] };

/** Every problem of a rules file, each naming its JSON path, or its line and column for a syntax error. */
export function checkRulesJson(text: string): RulesCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { ok: false, problems: [jsonSyntaxProblem(text.replace(/^\uFEFF/, ''), err)] };
  }
  const parsed = RulesDocument.safeParse(raw);
  return parsed.success
    ? { ok: true, doc: parsed.data }
    : { ok: false, problems: issueDetails(parsed.error) };
}

function jsonSyntaxProblem(text: string, err: unknown): ErrorDetail {
  const message = err instanceof Error ? err.message : String(err);
  const reason = `not valid JSON: ${message.replace(/\s*(?:in JSON )?at position \d+.*$/s, '')}`;
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return { message: reason };
  const before = text.slice(0, Number(position));
  return {
    line: before.split('\n').length,
    column: Number(position) - before.lastIndexOf('\n'),
    message: reason,
  };
}

/** "12 MX rules, 9 automation rules" */
export function describeRules(doc: RulesDocument): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(doc.mxRules.length, 'MX rule')}, ${plural(doc.automationRules.length, 'automation rule')}`;
}
