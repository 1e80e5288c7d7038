/**
 * RFC 3834 auto-replies and the vacation / out-of-office messages that do not follow it (header markers of
 * Exchange, Gmail, Zimbra, cPanel, and subjects in several languages).
 */
import { headerOf, type HeaderField } from './mime';

const SUBJECT_RE = new RegExp(
  [
    'out of (the )?office',
    'automatic reply',
    'auto(matic)?[- ]?(reply|response|respon[sd]er|antwort)',
    'autoreply',
    'vacation',
    'on leave',
    'away from (the|my) (office|desk)',
    'abwesenheit',
    'automatische antwort',
    'nicht im b[üu]ro',
    'r[ée]ponse automatique',
    'absence',
    'absent du bureau',
    'respuesta autom[áa]tica',
    'fuera de la oficina',
    'risposta automatica',
    'fuori sede',
    'resposta autom[áa]tica',
    'fora do escrit[óo]rio',
    'automatisch antwoord',
    'afwezig',
    'automatiskt svar',
    'frånvaro',
    'automatisk svar',
    'automaattinen vastaus',
    'автоматический ответ',
    'автоответ',
    'отпуск',
    '自动回复',
    '自動回覆',
    '自動返信',
    '自動応答',
    '不在',
  ].join('|'),
  'i',
);

/** Returns why the message is an auto-reply, or null. */
export function autoReplyReason(headers: readonly HeaderField[], subject: string): string | null {
  const autoSubmitted = (headerOf(headers, 'auto-submitted') ?? '').toLowerCase();
  if (autoSubmitted.startsWith('auto-replied')) return 'Auto-Submitted: auto-replied';
  if (headerOf(headers, 'x-autoreply') !== null) return 'X-Autoreply';
  if (headerOf(headers, 'x-autorespond') !== null) return 'X-Autorespond';
  if (/^auto[_-]reply$/i.test((headerOf(headers, 'precedence') ?? '').trim()))
    return 'Precedence: auto_reply';
  if (
    /^(oof|autoreply)$/i.test((headerOf(headers, 'x-auto-response-suppress') ?? '').trim()) &&
    SUBJECT_RE.test(subject)
  )
    return 'X-Auto-Response-Suppress';
  if (SUBJECT_RE.test(subject)) return `subject "${subject.slice(0, 80)}"`;
  if (autoSubmitted.startsWith('auto-generated') && /vacation|out of office|absence/i.test(subject))
    return 'Auto-Submitted: auto-generated';
  // Responders that mark their answers auto-generated (help desks, ticket systems) instead of auto-replied:
  // an automatic message that answers one of ours (reports are recognised before this is asked).
  if (autoSubmitted.startsWith('auto-generated') && headerOf(headers, 'in-reply-to') !== null)
    return 'Auto-Submitted: auto-generated, In-Reply-To';
  return null;
}
