/**
 * RFC 3834 auto-replies and the vacation / out-of-office messages that do not follow it (header markers of
 * Exchange, Gmail, Zimbra, cPanel, Lotus Notes, and subjects in several languages), and challenge-response
 * systems (Bluebottle, Boxbe, SpamArrest, Mailinator-style "verify you are human" filters) that hold a message
 * until the sender confirms. Both are answers from the recipient's side, not delivery failures; the
 * caller asks only once the message is known not to be a bounce or a complaint.
 *
 * Besides explicit headers and subjects, an automatic answer is recognised from its body when the message
 * says it is automatic by its envelope (null Return-Path, Precedence bulk/junk, Auto-Submitted) and is not a
 * list post: "I am out of the office", "I will reply as soon as possible", "Thank you for your e-mail".
 */
import { headerOf, type HeaderField } from './mime';

const SUBJECT_RE = new RegExp(
  [
    'out of (the )?office',
    'away from (my )?(e-?)?mail',
    'automatic reply',
    'thank(s| you) for your (e-?mail|mail|message|enquiry|inquiry)',
    '^\\s*auto:',
    'automatyczna odpowied',
    'odpowied[źz] automatyczna',
    'nieobecno[śs][ćc]',
    'automatick[áa] odpov[ěe]',
    'automatikus v[áa]lasz',
    'otomatik (yan[ıi]t|cevap)',
    'αυτόματη απάντηση',
    '자동 ?응답',
    '부재',
    'urlaub',
    'ferien',
    'cong[ée]s?\\b',
    'vacaciones',
    'ausente',
    'in ferie',
    'auto(matic)?[- ]?(reply|response|respon[sd]er|antwort)',
    'autoreply',
    'vacation',
    'on leave',
    'away from (the|my) (office|desk)',
    'abwesenheit',
    'automatische antwort',
    'nicht im b[üu]ro',
    'au(?:ß|ss)er haus',
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

/** Headers some responders add instead of Auto-Submitted (their presence is the mark). */
const MARK_HEADERS = ['x-autoreply', 'x-autorespond', 'x-autoreply-from', 'x-mail-autoreply', 'x-vacation'];

/** Body sentences of out-of-office and acknowledgement answers, in several languages. */
const BODY_RE = new RegExp(
  [
    "\\bI(?:'m| am| will be| shall be)\\s+(?:currently\\s+)?(?:out of (?:the )?office|away|on (?:annual |maternity |paternity |sick )?leave|on (?:vacation|holiday)|travell?ing|not (?:in|available)|unavailable|absent)",
    '\\b(?:will|shall)\\s+(?:endeavou?r to |try to |be able to )?(?:reply|respond|answer|get back to you|contact you|read)[^.\\n]{0,60}(?:as soon as|on my return|upon my return|when I (?:get back|return)|shortly)',
    '\\bthis is an? (?:automatic|automated|auto-generated) (?:reply|response|message|answer)',
    '\\b(?:thank you|thanks) for (?:your|contacting)\\b[^.\\n]{0,40}\\b(?:e-?mail|message|enquiry|inquiry|us)\\b',
    'bin (?:ich )?(?:bis|vom|im urlaub|nicht im b[üu]ro|abwesend|au(?:ß|ss)er haus)',
    'werde (?:ich )?[^.\\n]{0,40}nicht im b[üu]ro sein',
    'je suis (?:absent|en cong[ée])',
    'estar[ée] (?:fuera|ausente)',
    'sar[òo] (?:assente|fuori)',
    'jestem (?:nieobecn|na urlopie)',
  ].join('|'),
  'i',
);

/** Challenge-response: the recipient's filter holds the message until the sender proves to be a person. */
const CHALLENGE_RE = new RegExp(
  [
    '(?:add(?:ed)?|put)\\s+(?:yourself|your (?:e-?mail )?address|you)\\s+to\\s+[^.\\n]{0,60}(?:allowed|approved|safe|white|guest|trusted)[ -]?(?:senders? )?list',
    'have your (?:e-?mail )?address added to [^.\\n]{0,60}list',
    "(?:listed|added) (?:on|to) (?:my|the recipient'?s) [^.\\n]{0,40}(?:guest|allowed|approved|safe|white|trusted)[ -]?(?:senders? )?list",
    "(?:verify|confirm|prove) (?:that )?(?:you are|you're) (?:a )?(?:human|real person|person|not a (?:robot|spammer))",
    'challenge[- ]response',
    'senders? (?:I|we) have approved',
    '(?:list of )?approved senders',
    '\\bTMDA\\b',
    '(?:please )?confirm (?:your|this) (?:message|e-?mail|address) (?:by|to be|so)',
    'confirmation verifies that your message',
    'held (?:for|until) (?:the )?(?:list )?moderator',
    "(?:you are|you're) a real sender|sender verification (?:service|system)",
    'best(?:a|ae|ä)tigen sie|kein spam-?roboter',
    'vous authentifier|confirmez (?:votre|que vous)|est prot[eé]g[eé] par',
    'verifique (?:su|que usted)|confirme (?:su|que usted)',
    'awaiting (?:the )?moderator(?:\\s+approval)?',
    'has been (?:waitlisted|quarantined until you)',
    'sender (?:verification|confirmation) (?:request|required)',
    '(?:click|visit|follow) [^\\n]{0,80}(?:to|and) (?:verify|confirm|validate) (?:your|that you|the message)',
  ].join('|'),
  'i',
);

/** Returns why the message is a challenge of a challenge-response system, or null. */
export function challengeReason(headers: readonly HeaderField[], text: string): string | null {
  if (headerOf(headers, 'list-id') !== null) return null;
  const m = CHALLENGE_RE.exec(text.slice(0, 20_000).replace(/\s+/g, ' '));
  return m ? `challenge-response: "${m[0].slice(0, 80)}"` : null;
}

/** Returns why the message is an auto-reply, or null. */
export function autoReplyReason(headers: readonly HeaderField[], subject: string, text = ''): string | null {
  const autoSubmitted = (headerOf(headers, 'auto-submitted') ?? '').toLowerCase();
  if (autoSubmitted.startsWith('auto-replied')) return 'Auto-Submitted: auto-replied';
  const mark = MARK_HEADERS.find((name) => headerOf(headers, name) !== null);
  if (mark) return mark;
  if (/^auto[_-]reply$/i.test((headerOf(headers, 'precedence') ?? '').trim()))
    return 'Precedence: auto_reply';
  // The Unix vacation(1) program and its descendants name themselves in X-Mailer.
  if (/\bvacation\b/i.test(headerOf(headers, 'x-mailer') ?? '')) return 'X-Mailer: vacation';
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
  return automaticByBody(headers, subject, text);
}

/**
 * An answer marked automatic by its envelope whose body reads like an out-of-office or acknowledgement; or,
 * without any mark (GroupWise and Notes vacation rules send plain replies), a reply whose first words are one.
 */
function automaticByBody(headers: readonly HeaderField[], subject: string, text: string): string | null {
  const precedence = (headerOf(headers, 'precedence') ?? '').trim().toLowerCase();
  const nullSender = /^<\s*>$/.test((headerOf(headers, 'return-path') ?? '').trim());
  const automatic =
    nullSender ||
    ['bulk', 'junk', 'auto_reply'].includes(precedence) ||
    headerOf(headers, 'auto-submitted') !== null;
  if (headerOf(headers, 'list-id') !== null || headerOf(headers, 'list-unsubscribe') !== null) return null;
  const words = text.slice(0, 5_000).replace(/\s+/g, ' ').trim();
  if (automatic) {
    const m = BODY_RE.exec(words);
    return m ? `automatic answer: "${m[0].slice(0, 80)}"` : null;
  }
  // A reply whose first sentence is an absence; a person's reply says other things first.
  const reply = /^\s*(?:re|aw|sv|vs|antw|rif|r|réf|res)\s*:/i.test(subject);
  const firstSentence = words.slice(0, 300).split(/(?<=[.!?])\s/)[0] ?? '';
  const m = reply ? BODY_RE.exec(firstSentence) : null;
  return m ? `reply that opens as an automatic answer: "${m[0].slice(0, 80)}"` : null;
}
