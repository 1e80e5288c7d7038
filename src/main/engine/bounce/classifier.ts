/**
 * The synchronous bounce classifier (SPEC §4.2), also used for every recipient of an asynchronous report. An
 * ordered rule table (data, `BounceRule`), first match wins, compiled once by `createClassifier`. A rule
 * matches when every condition it sets holds: reply code class or exact code, RFC 3463 enhanced code
 * (wildcards allowed), the SMTP command answered, the MX host scope, and its pattern on the normalised reply
 * text. When no rule matches, the subject of the enhanced status code decides (`ENHANCED_STATUS_FALLBACK`),
 * then the basic code: 4xx is a transient failure (Unreachable, Soft), 5xx a generic bounce that nothing could
 * be told about (Not defined: "To qualify"), no reply at all is Not defined.
 *
 * Patterns are matched on a folded copy of the normalised text: compatibility forms unified and Latin
 * diacritics removed (NFKD), so that `boîte pleine`, `boite pleine` and the full-width forms of Japanese
 * replies match the same rule; patterns are folded the same way when they are compiled.
 *
 * The verdict's reason and type come from the class mapping (`BOUNCE_CLASS_MAPPING`, data), unless the rule
 * overrides them; the type depends on whether the failure is permanent (5xx / 5.x.x) or transient. Each
 * explanation says why, in words an analyst can check: the rule and the words of the reply it matched, or the
 * status code and its RFC 3463 meaning, or that nothing was recognised.
 */
import {
  BOUNCE_CLASS_MAPPING,
  type BounceClassMapping,
  type BounceRule,
} from '../../../shared/domain/bounce-rules';
import { maskMatches } from '../../../shared/domain/domain-mask';
import { compilePattern, type SafePattern } from '../../../shared/domain/safe-pattern';
import type { BounceClass, FailureType, ReasonId } from '../../../shared/domain/reasons';
import { parseSmtpReply } from '../../../shared/domain/smtp-reply';
import { DEFAULT_BOUNCE_RULES } from '../../defaults/bounce-rules';
import { ENHANCED_STATUS_FALLBACK, enhancedStatusMeaning } from './enhanced-status';
import { normaliseText } from './normalise';

/** What the classifier reads: an SMTP reply (or a DSN's status and diagnostic) and where it came from. */
export interface ReplyToClassify {
  /** Basic reply code (550); null when there was no reply (timeouts, DNS) or the DSN gave none. */
  code: number | null;
  /** RFC 3463 enhanced code (5.1.1), null when absent. */
  enhanced: string | null;
  /** Reply text; may still start with the codes when they were not split off. */
  text: string;
  command?: string | null;
  mxHost?: string | null;
  /** Recipient domain (informational; rules are scoped by MX host). */
  domain?: string | null;
}

export interface BounceVerdict {
  reason: ReasonId;
  type: FailureType;
  bounceClass: BounceClass;
  /** The rule that decided: a rule id, `status:X.n.*` (status-subject fallback), `code:4xx|5xx`, `success` or `none`. */
  ruleId: string;
  /** Why, in one sentence: the rule and what it matched, the status code and its meaning, or the fallback. */
  why: string;
}

export interface Classifier {
  classify(reply: ReplyToClassify): BounceVerdict;
  /** The classification with the values it was computed from (console "test a reply", the qualification table). */
  explain(reply: ReplyToClassify): BounceExplanation;
  readonly rules: readonly BounceRule[];
}

export interface BounceExplanation extends BounceVerdict {
  code: number | null;
  enhanced: string | null;
  normalised: string;
  permanent: boolean;
  /** The words of the (folded, normalised) reply the deciding rule's pattern matched; null for other verdicts. */
  matched: string | null;
}

/** A reply ready for matching: codes completed from the text, the text normalised. */
export interface PreparedReply {
  code: number | null;
  enhanced: string | null;
  /** 2, 4 or 5; null when there is no code at all (no reply). */
  klass: 2 | 4 | 5 | null;
  normalised: string;
  /** `normalised` folded for matching (`foldForMatch`). */
  folded: string;
  command: string | null;
  mxHost: string | null;
}

export interface CompiledRule {
  rule: BounceRule;
  regex: SafePattern | null;
  code: (klass: number | null, code: number | null) => boolean;
  enhanced: RegExp | null;
}

export interface ClassifierOptions {
  mapping?: BounceClassMapping;
}

/**
 * Compiles the rules once. Throws on a pattern that does not compile (validate with `checkRules` first when
 * the rules come from a user).
 */
export function createClassifier(
  rules: readonly BounceRule[] = DEFAULT_BOUNCE_RULES,
  options: ClassifierOptions = {},
): Classifier {
  const mapping = options.mapping ?? BOUNCE_CLASS_MAPPING;
  const compiled = rules.map(compileRule);

  function explain(input: ReplyToClassify): BounceExplanation {
    const reply = prepareReply(input);
    const permanent = reply.klass === 5;
    const verdict = (
      bounceClass: BounceClass,
      ruleId: string,
      why: string,
      override: { rule?: BounceRule; reason?: ReasonId; matched?: string | null } = {},
    ): BounceExplanation => {
      const entry = mapping[bounceClass];
      return {
        reason: override.rule?.reason ?? override.reason ?? entry.reason,
        type: override.rule?.type ?? (permanent ? entry.permanent : entry.transient),
        bounceClass,
        ruleId,
        code: reply.code,
        enhanced: reply.enhanced,
        normalised: reply.normalised,
        permanent,
        matched: override.matched ?? null,
        why,
      };
    };
    for (const c of compiled) {
      if (!ruleMatches(c, reply)) continue;
      const matched = c.regex?.exec(reply.folded) ?? null;
      return verdict(c.rule.bounceClass, c.rule.id, ruleWhy(c.rule, matched, reply), {
        rule: c.rule,
        matched,
      });
    }
    if (reply.klass === 2) {
      return {
        ...verdict(1, 'success', 'a 2xx/3xx reply is a success, not a bounce'),
        reason: 'error_ignored',
        type: 'ignored',
      };
    }
    if (reply.enhanced !== null) {
      const subject = reply.enhanced.split('.')[1] ?? '';
      const fallback = ENHANCED_STATUS_FALLBACK[subject];
      if (fallback) {
        const meaning = enhancedStatusMeaning(reply.enhanced) ?? fallback.meaning;
        return verdict(
          fallback.bounceClass,
          `status:X.${subject}.*`,
          `no rule recognised the text; status ${reply.enhanced} (${meaning}) decided by its subject (${fallback.meaning})`,
          { reason: fallback.reason },
        );
      }
    }
    if (reply.klass === 5)
      return verdict(
        40,
        'code:5xx',
        'no rule recognised the reply: a 5xx fails the message, the reason is to qualify',
      );
    if (reply.klass === 4)
      return verdict(70, 'code:4xx', 'no rule recognised the reply: a 4xx is a transient failure, retried');
    return verdict(1, 'none', 'no reply code and no rule recognised the text');
  }

  return {
    rules,
    explain,
    classify(reply) {
      const { reason, type, bounceClass, ruleId, why } = explain(reply);
      return { reason, type, bounceClass, ruleId, why };
    },
  };
}

/** Why a rule decided: its description (or id), what it matched, and the conditions that held. */
function ruleWhy(rule: BounceRule, matched: string | null, reply: PreparedReply): string {
  const conditions = [
    rule.code !== undefined ? `code ${rule.code}` : null,
    rule.enhanced !== undefined && reply.enhanced !== null
      ? `status ${reply.enhanced}${statusNote(reply.enhanced)}`
      : null,
    rule.command !== undefined ? `answer to ${rule.command}` : null,
    rule.mxScope !== undefined ? `MX ${rule.mxScope}` : null,
  ].filter((c): c is string => c !== null);
  const what = matched ? `the reply says "${matched.trim()}"` : conditions.length ? '' : 'any reply';
  const parts = [what, ...conditions].filter((p) => p !== '');
  return `rule "${rule.id}"${rule.description ? ` (${rule.description})` : ''}: ${parts.join(', ')}`;
}

function statusNote(enhanced: string): string {
  const meaning = enhancedStatusMeaning(enhanced);
  return meaning ? ` (${meaning})` : '';
}

/**
 * The form patterns and texts are compared in: compatibility forms unified (full-width letters, ligatures)
 * and Latin combining diacritics removed, so `Benutzer unbekannt` matches `unbekannt` and `Boîte pleine`
 * matches `boite pleine`. Other scripts keep their marks (Japanese voicing marks are decomposed on both sides
 * alike). Case is left to the `i` flag.
 */
export function foldForMatch(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

/**
 * Compiles one rule through `safe-pattern.ts`; throws a message naming the rule when its pattern does not
 * compile or could backtrack catastrophically.
 */
export function compileRule(rule: BounceRule): CompiledRule {
  let regex: SafePattern | null = null;
  if (rule.pattern !== '') {
    const compiled = compilePattern(foldForMatch(rule.pattern));
    if (!compiled.ok) throw new Error(`bounce rule "${rule.id}": pattern ${compiled.message}`);
    regex = compiled.pattern;
  }
  return { rule, regex, code: codeCondition(rule.code), enhanced: enhancedCondition(rule.enhanced) };
}

function codeCondition(condition: string | undefined): CompiledRule['code'] {
  if (condition === undefined) return () => true;
  if (condition === 'none') return (klass) => klass === null;
  if (condition === 'any') return (klass) => klass === 4 || klass === 5;
  if (condition.endsWith('xx')) {
    const wanted = Number(condition[0]);
    return (klass) => klass === wanted;
  }
  const exact = Number(condition);
  return (_klass, code) => code === exact;
}

function enhancedCondition(condition: string | undefined): RegExp | null {
  if (condition === undefined) return null;
  const [klass = '*', subject = '*', detail = '*'] = condition.split('.');
  const part = (p: string, any: string) => (p === '*' ? any : p);
  const first = klass === '*' ? '[245]' : /x/i.test(klass) ? '[45]' : klass;
  return new RegExp(`^${first}\\.${part(subject, '\\d{1,3}')}\\.${part(detail, '\\d{1,3}')}$`);
}

export function prepareReply(input: ReplyToClassify): PreparedReply {
  const reply = completeReply(input);
  const normalised = normaliseText(reply.text);
  return {
    code: reply.code,
    enhanced: reply.enhanced,
    klass: replyClass(reply.code, reply.enhanced),
    normalised,
    folded: foldForMatch(normalised),
    command: input.command ?? null,
    mxHost: input.mxHost ?? null,
  };
}

/** Whether every condition of the rule holds for the reply. */
export function ruleMatches(c: CompiledRule, reply: PreparedReply): boolean {
  if (!c.code(reply.klass, reply.code)) return false;
  if (c.enhanced && (reply.enhanced === null || !c.enhanced.test(reply.enhanced))) return false;
  if (c.rule.command !== undefined && c.rule.command !== reply.command) return false;
  if (c.rule.mxScope !== undefined && (reply.mxHost === null || !maskMatches(c.rule.mxScope, reply.mxHost)))
    return false;
  return c.regex === null || c.regex.test(reply.folded);
}

/** 2, 4 or 5 from the basic code, else from the enhanced code; null when neither is known. */
export function replyClass(code: number | null, enhanced: string | null): 2 | 4 | 5 | null {
  const digit = code !== null ? Math.floor(code / 100) : enhanced !== null ? Number(enhanced[0]) : null;
  return digit === 2 || digit === 3 ? 2 : digit === 4 || digit === 5 ? digit : null;
}

/** Fills a missing code or enhanced code from the text when the text still starts with them. */
function completeReply(input: ReplyToClassify): {
  code: number | null;
  enhanced: string | null;
  text: string;
} {
  if (input.code !== null && input.enhanced !== null) return input;
  const parsed = parseSmtpReply(input.text);
  if (parsed.code === null && parsed.enhanced === null) return input;
  return {
    code: input.code ?? parsed.code,
    enhanced: input.enhanced ?? parsed.enhanced,
    text: parsed.text,
  };
}
