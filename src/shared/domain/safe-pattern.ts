/**
 * The one module through which every rule pattern is checked and compiled: bounce rules, MX automation rules,
 * the shipped defaults, the console's client-side check, the API and `relaydeck rules import` alike. The
 * patterns are user data and the texts they run on (SMTP replies, bounce texts) are attacker data, so a
 * pattern must not be able to freeze the process (ReDoS).
 *
 * Three guards, in this order:
 * 1. The check (`checkPattern`) refuses a pattern that does not compile as a JavaScript regular expression,
 *    that is too long, or in which `scslre` (the analyser behind eslint-plugin-regexp's
 *    no-super-linear-backtracking) finds super-linear backtracking: nested quantifiers on overlapping
 *    characters (`(a+)+$`, `(.*a){20}`), ambiguous quantified alternations (`(a|a)*$`, `(a|aa)+$`), adjacent
 *    quantifiers trading the same characters (`\d+\w+$`). The message says where and why.
 * 2. A pattern RE2 can express (no lookaround, no backreference) is run on RE2's linear-time engine
 *    (`re2js`, pure JavaScript: no native addon, so it works the same under Node, in the packaged Electron app
 *    and in the console), so even an ambiguity the analyser does not see (`^(a|b|ab)*c$`) costs linear time.
 *    The few patterns that need lookaround (some shipped bounce rules) run on the JavaScript engine, only
 *    after passing the check.
 * 3. The text a pattern is run against is cut to `MAX_SUBJECT_LENGTH` characters.
 *
 * Patterns are case-insensitive (the `i` flag), as both rule tables define them.
 */
import { RegExpParser } from '@eslint-community/regexpp';
import { RE2JS } from 're2js';
import { analyse } from 'scslre';

/** Longest pattern accepted (the longest shipped bounce rule is about 1,300 characters). */
export const MAX_PATTERN_LENGTH = 4000;
/** A pattern is run on at most this many characters of its subject (an SMTP reply is far shorter). */
export const MAX_SUBJECT_LENGTH = 8 * 1024;

export interface SafePattern {
  /** The pattern as written. */
  readonly source: string;
  /** `linear`: RE2 semantics, linear time; `checked`: the JavaScript engine, for lookaround patterns. */
  readonly engine: 'linear' | 'checked';
  test(text: string): boolean;
  /** The text of the first match, or null. */
  exec(text: string): string | null;
}

export type PatternCompileResult = { ok: true; pattern: SafePattern } | { ok: false; message: string };

/** Analyses by pattern: rule tables are checked on every save and compiled on every load. */
const analysed = new Map<string, string | null>();
const CACHE_LIMIT = 2000;

/**
 * Null when the pattern is acceptable, else a one-line message saying why not (without the rule's name: the
 * caller's schema path names the rule and the field).
 */
export function checkPattern(pattern: string): string | null {
  return patternSyntaxError(pattern) ?? backtrackingProblem(pattern);
}

/** Null when the pattern compiles as a JavaScript regular expression, else `does not compile: …`. */
export function patternSyntaxError(pattern: string): string | null {
  try {
    new RegExp(pattern, 'i');
    return null;
  } catch (err) {
    return `does not compile: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * Null when a pattern that compiles shows no super-linear backtracking (and is not too long), else why. Schemas
 * whose callers report syntax errors separately (the bounce rule checker) use this one; a pattern that does not
 * compile passes here.
 */
export function backtrackingProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `is too long (${pattern.length} characters, at most ${MAX_PATTERN_LENGTH})`;
  }
  if (patternSyntaxError(pattern) !== null) return null;
  const cached = analysed.get(pattern);
  if (cached !== undefined) return cached;
  const problem = analyseBacktracking(pattern);
  if (analysed.size >= CACHE_LIMIT) analysed.clear();
  analysed.set(pattern, problem);
  return problem;
}

function analyseBacktracking(pattern: string): string | null {
  let reports: ReturnType<typeof analyse>['reports'];
  try {
    const parser = new RegExpParser({ ecmaVersion: 2022 });
    const ast = {
      pattern: parser.parsePattern(pattern, 0, pattern.length, { unicode: false }),
      flags: parser.parseFlags('i'),
    };
    reports = analyse(ast, { maxReports: 1 }).reports;
  } catch (err) {
    return `cannot be analysed for catastrophic backtracking: ${err instanceof Error ? err.message : String(err)}`;
  }
  const report = reports[0];
  if (report === undefined) return null;
  const where =
    report.type === 'Trade' ? `${report.startQuant.raw} … ${report.endQuant.raw}` : report.quant.raw;
  const how = report.exponential ? 'exponential' : 'polynomial';
  return `may take ${how} time on hostile text (catastrophic backtracking at "${where}"): avoid nested or adjacent quantifiers that can match the same characters`;
}

/** Checks then compiles a pattern; the only place rule patterns become matchers. */
export function compilePattern(pattern: string): PatternCompileResult {
  const problem = checkPattern(pattern);
  if (problem !== null) return { ok: false, message: problem };
  let linear: RE2JS | null = null;
  try {
    linear = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch {
    // Lookaround or another construct RE2 does not have: the checked JavaScript engine below.
  }
  if (linear !== null) {
    const re = linear;
    return {
      ok: true,
      pattern: {
        source: pattern,
        engine: 'linear',
        test: (text) => re.test(bound(text)),
        exec: (text) => {
          const m = re.matcher(bound(text));
          return m.find() ? m.group() : null;
        },
      },
    };
  }
  const re = new RegExp(pattern, 'i');
  return {
    ok: true,
    pattern: {
      source: pattern,
      engine: 'checked',
      test: (text) => re.test(bound(text)),
      exec: (text) => re.exec(bound(text))?.[0] ?? null,
    },
  };
}

/** The subject a pattern is run on: at most `MAX_SUBJECT_LENGTH` characters. */
export function bound(text: string): string {
  return text.length > MAX_SUBJECT_LENGTH ? text.slice(0, MAX_SUBJECT_LENGTH) : text;
}
