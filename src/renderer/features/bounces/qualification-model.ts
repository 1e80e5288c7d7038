/**
 * The delivery-log qualification table's wording and requalification form, free of React.
 */
import type {
  QualificationRow,
  QualificationSource,
  QualificationStatus,
  QualificationUpdateInput,
} from '../../../shared/contract/bounce';
import {
  BOUNCE_CLASSES,
  type BounceClass,
  type FailureType,
  type ReasonId,
} from '../../../shared/domain/reasons';
import type { Tone } from '../../components/tones';
import type { ReplySource } from './bounce-rules-model';

export const QUALIFICATION_STATUS_LABELS: Record<QualificationStatus, string> = {
  to_qualify: 'To qualify',
  keep: 'Keep',
  ignore: 'Ignore',
};

export const QUALIFICATION_STATUS_TONE: Record<QualificationStatus, Tone> = {
  to_qualify: 'amber',
  keep: 'green',
  ignore: 'grey',
};

export const QUALIFICATION_SOURCE_LABELS: Record<QualificationSource, string> = {
  sync: 'SMTP',
  async: 'inMail',
};

export const QUALIFICATION_SOURCE_HINTS: Record<QualificationSource, string> = {
  sync: 'Synchronous: the receiving server answered during the SMTP session',
  async: 'Asynchronous: a DSN received later on the bounce mailbox',
};

/** `550 5.1.1`, `4.7.1`, or an em dash. */
export function formatCodes(row: { code: number | null; enhanced: string | null }): string {
  const parts = [row.code, row.enhanced].filter((p) => p !== null);
  return parts.length ? parts.join(' ') : '—';
}

/** The analyst's choice in the requalify drawer. */
export interface RequalifyForm {
  status: QualificationStatus;
  reason: ReasonId;
  type: FailureType;
  bounceClass: BounceClass;
}

export function requalifyFormOf(row: QualificationRow): RequalifyForm {
  return {
    status: row.status,
    reason: row.reason,
    type: row.type,
    bounceClass: row.bounceClass in BOUNCE_CLASSES ? (row.bounceClass as BounceClass) : 1,
  };
}

/**
 * The update to send. Reason, type and class are sent only when they differ from the row, since sending them
 * makes the row a manual override of the rules for every future reply with its key.
 */
export function requalifyInput(row: QualificationRow, form: RequalifyForm): QualificationUpdateInput {
  const changed =
    form.reason !== row.reason || form.type !== row.type || form.bounceClass !== row.bounceClass;
  return changed
    ? {
        id: row.id,
        status: form.status,
        reason: form.reason,
        type: form.type,
        bounceClass: form.bounceClass,
      }
    : { id: row.id, status: form.status };
}

/** A row with the analyst's chosen qualification, as the source of a new rule. */
export function replySourceOf(row: QualificationRow, form: RequalifyForm): ReplySource {
  return {
    normalised: row.key,
    firstRaw: row.firstRaw,
    code: row.code,
    enhanced: row.enhanced,
    bounceClass: form.bounceClass,
    reason: form.reason,
    type: form.type,
    ruleId: row.ruleId,
  };
}

/** Folds like the classifier does (NFKD, Latin combining marks dropped), lower-cased. */
function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/**
 * Where `part` (as the classifier matched it, on folded text) lies in `text`: the start and end offsets in
 * `text`, or null. Folding can change lengths (a decomposed letter loses its mark), so offsets are mapped back
 * character by character.
 */
export function foldedIndexOf(text: string, part: string): { start: number; end: number } | null {
  const needle = fold(part);
  if (needle === '') return null;
  // folded[i] came from text[origin[i]]
  let folded = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const f = fold(text[i] ?? '');
    folded += f;
    for (let k = 0; k < f.length; k++) origin.push(i);
  }
  const at = folded.indexOf(needle);
  if (at < 0) return null;
  const start = origin[at] ?? 0;
  const end = (origin[at + needle.length - 1] ?? start) + 1;
  return { start, end };
}
